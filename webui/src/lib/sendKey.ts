/** Whether a key press sends, under the user's send-key setting (IME composition never sends). */

import type { KeyboardEvent } from "react";
import type { SendKey } from "../types";

export function isSendKey(event: KeyboardEvent, sendKey: SendKey): boolean {
  if (event.key !== "Enter" || event.nativeEvent.isComposing) return false;
  if (sendKey === "enter") return !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey;
  return event.ctrlKey || event.metaKey;
}

export function sendKeyHint(sendKey: SendKey): string {
  return sendKey === "enter"
    ? "Enter to send, Shift+Enter for a new line"
    : "Ctrl+Enter (⌘+Enter) to send, Enter for a new line";
}
