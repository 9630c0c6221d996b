/** View state shared across components: dialogs, the phone drawer, and short notices. */

import { create } from "zustand";

export interface Notice {
  id: number;
  text: string;
  tone: "info" | "error";
}

export interface UiState {
  settingsOpen: boolean;
  drawerOpen: boolean;
  shortcutsOpen: boolean;
  /** The chat whose system prompt is being edited, or null. */
  systemPromptFor: string | null;
  notices: Notice[];
  /** Bumped to ask the composer to take focus. */
  composerFocus: number;
}

export const useUi = create<UiState>(() => ({
  settingsOpen: false,
  drawerOpen: false,
  shortcutsOpen: false,
  systemPromptFor: null,
  notices: [],
  composerFocus: 0,
}));

let nextNotice = 1;

export function notify(text: string, tone: Notice["tone"] = "info", ms = 3500): void {
  const id = nextNotice++;
  useUi.setState((s) => ({ notices: [...s.notices.slice(-2), { id, text, tone }] }));
  setTimeout(() => dismissNotice(id), ms);
}

export function dismissNotice(id: number): void {
  useUi.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

export function openSettings(open = true): void {
  useUi.setState({ settingsOpen: open });
}

export function openShortcuts(open = true): void {
  useUi.setState({ shortcutsOpen: open });
}

export function editSystemPrompt(chatId: string | null): void {
  useUi.setState({ systemPromptFor: chatId });
}

export function openDrawer(open = true): void {
  useUi.setState({ drawerOpen: open });
}

export function focusComposer(): void {
  useUi.setState((s) => ({ composerFocus: s.composerFocus + 1 }));
}
