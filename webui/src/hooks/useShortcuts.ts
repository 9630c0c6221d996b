import { useEffect } from "react";
import { stopReply } from "../services/generation";
import { newChat, useChats } from "../stores/chats";
import { useSettings } from "../stores/settings";
import { focusComposer, openShortcuts, useUi } from "../stores/ui";

/** Typing in a field: plain keys (like "?") belong to it. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
}

/** A dialog, menu or list box is open: Escape is theirs. */
function somethingOpen(): boolean {
  return document.querySelector("dialog[open], [role=menu], [role=listbox]") !== null;
}

/**
 * Global shortcuts (listed in the shortcut sheet, `ShortcutsDialog`): Ctrl/⌘+Shift+O new chat,
 * Shift+Esc focus the message box, Esc stop the reply, ? or Ctrl/⌘+/ the shortcut sheet.
 */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented) return;
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.shiftKey && event.key.toLowerCase() === "o") {
        event.preventDefault();
        const { activeId, chats } = useChats.getState();
        void newChat((activeId ? chats[activeId]?.model : null) ?? useSettings.getState().lastModel);
        focusComposer();
      } else if (event.shiftKey && event.key === "Escape") {
        event.preventDefault();
        focusComposer();
      } else if (event.key === "Escape" && !mod && !event.altKey && !somethingOpen()) {
        const { activeId, running } = useChats.getState();
        if (activeId && running[activeId] && stopReply(activeId)) event.preventDefault();
      } else if (mod && event.key === "/") {
        event.preventDefault();
        openShortcuts(!useUi.getState().shortcutsOpen);
      } else if (
        event.key === "?" &&
        !mod &&
        !event.altKey &&
        !isEditable(event.target) &&
        !somethingOpen()
      ) {
        event.preventDefault();
        openShortcuts(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
