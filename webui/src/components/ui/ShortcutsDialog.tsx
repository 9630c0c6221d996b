import { useSettings } from "../../stores/settings";
import { openShortcuts, useUi } from "../../stores/ui";
import { Dialog } from "./Dialog";

interface Shortcut {
  keys: string[][];
  what: string;
}

function shortcuts(sendKey: "enter" | "ctrl-enter"): { title: string; items: Shortcut[] }[] {
  return [
    {
      title: "Anywhere",
      items: [
        { keys: [["Ctrl", "Shift", "O"]], what: "New chat" },
        { keys: [["Shift", "Esc"]], what: "Focus the message box" },
        { keys: [["Esc"]], what: "Stop the reply being written" },
        { keys: [["?"], ["Ctrl", "/"]], what: "Show these shortcuts" },
      ],
    },
    {
      title: "Message box",
      items:
        sendKey === "enter"
          ? [
              { keys: [["Enter"]], what: "Send" },
              { keys: [["Shift", "Enter"]], what: "New line" },
            ]
          : [
              { keys: [["Ctrl", "Enter"]], what: "Send" },
              { keys: [["Enter"]], what: "New line" },
            ],
    },
    {
      title: "Chat list",
      items: [
        { keys: [["↑"], ["↓"]], what: "Move between chats" },
        { keys: [["→"], ["Shift", "F10"]], what: "Chat actions (rename, pin, delete)" },
        { keys: [["F2"]], what: "Rename the chat" },
        { keys: [["Delete"]], what: "Delete the chat" },
      ],
    },
  ];
}

function Keys({ combos }: { combos: string[][] }) {
  return (
    <span className="flex flex-wrap items-center justify-end gap-1">
      {combos.map((combo, i) => (
        <span key={combo.join("+")} className="flex items-center gap-1">
          {i > 0 && <span className="text-xs text-muted">or</span>}
          {combo.map((key) => (
            <kbd
              key={key}
              className="min-w-[1.75rem] rounded-md border border-line bg-surface px-1.5 py-0.5 text-center font-mono text-xs"
            >
              {key}
            </kbd>
          ))}
        </span>
      ))}
    </span>
  );
}

/** The keyboard shortcut sheet (? or Ctrl+/). On a Mac, ⌘ works wherever Ctrl is shown. */
export function ShortcutsDialog() {
  const open = useUi((s) => s.shortcutsOpen);
  const sendKey = useSettings((s) => s.sendKey);
  return (
    <Dialog
      open={open}
      onClose={() => openShortcuts(false)}
      title="Keyboard shortcuts"
      description="On a Mac, ⌘ works wherever Ctrl is shown."
    >
      <div className="space-y-4">
        {shortcuts(sendKey).map((group) => (
          <section key={group.title} aria-label={group.title}>
            <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-muted">{group.title}</h3>
            <dl className="divide-y divide-line">
              {group.items.map((item) => (
                <div key={item.what} className="flex items-center justify-between gap-4 py-1.5 text-sm">
                  <dt>{item.what}</dt>
                  <dd>
                    <Keys combos={item.keys} />
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Dialog>
  );
}
