import { useEffect } from "react";
import { newChat, useChats } from "../stores/chats";
import { useSettings } from "../stores/settings";
import { focusComposer } from "../stores/ui";

/** Global shortcuts: Ctrl/⌘+Shift+O new chat, Shift+Esc focus the message box. */
export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.ctrlKey || event.metaKey) && event.shiftKey && event.key.toLowerCase() === "o") {
        event.preventDefault();
        const { activeId, chats } = useChats.getState();
        void newChat((activeId ? chats[activeId]?.model : null) ?? useSettings.getState().lastModel);
        focusComposer();
      } else if (event.shiftKey && event.key === "Escape") {
        event.preventDefault();
        focusComposer();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
