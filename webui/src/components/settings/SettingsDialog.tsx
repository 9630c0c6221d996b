import type { ReactNode } from "react";
import { openSettings, useUi } from "../../stores/ui";
import { Dialog } from "../ui/Dialog";
import { AppearanceSection } from "./AppearanceSection";
import { ChatSection } from "./ChatSection";
import { ConnectionSection } from "./ConnectionSection";
import { DataSection } from "./DataSection";

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="border-t border-line py-4 first:border-t-0 first:pt-2" aria-label={title}>
      <h3 className="mb-3 text-xs font-semibold uppercase tracking-wide text-muted">{title}</h3>
      {children}
    </section>
  );
}

const SHORTCUTS = [
  ["Ctrl+Shift+O", "New chat"],
  ["Shift+Esc", "Focus the message box"],
  ["Esc", "Close a dialog or menu"],
] as const;

export function SettingsDialog() {
  const open = useUi((s) => s.settingsOpen);
  return (
    <Dialog
      open={open}
      onClose={() => openSettings(false)}
      title="Settings"
      className="w-[min(100vw-2rem,36rem)]"
    >
      <Section title="Appearance">
        <AppearanceSection />
      </Section>
      <Section title="Chat">
        <ChatSection />
      </Section>
      <Section title="Connection">
        <ConnectionSection />
      </Section>
      <Section title="Data">
        <DataSection />
      </Section>
      <Section title="Keyboard">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
          {SHORTCUTS.map(([keys, what]) => (
            <div key={keys} className="contents">
              <dt>
                <kbd className="rounded border border-line bg-surface px-1.5 py-0.5 font-mono text-xs">
                  {keys}
                </kbd>
              </dt>
              <dd className="text-muted">{what}</dd>
            </div>
          ))}
        </dl>
      </Section>
    </Dialog>
  );
}
