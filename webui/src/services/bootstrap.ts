/** Start-up: settings, chats, models; keeps an open chat with a usable model at all times. */

import { applySync, initChats, newChat, updateChat, useChats } from "../stores/chats";
import { flushDrafts, loadDrafts } from "../stores/drafts";
import { findModel, loadModels, useModels } from "../stores/models";
import { loadSettings, useSettings } from "../stores/settings";
import { onSync } from "./sync";

let creating = false;

/** Opens a fresh chat whenever none is open (first start, last chat deleted, all cleared). */
async function ensureOpenChat(): Promise<void> {
  if (creating) return;
  // Let a chat that is being opened (after a delete or an import) take its place first.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const { ready, activeId } = useChats.getState();
  if (!ready || activeId || creating) return;
  creating = true;
  try {
    await newChat(defaultModel());
  } finally {
    creating = false;
  }
}

function defaultModel(): string | null {
  const { models } = useModels.getState();
  const last = useSettings.getState().lastModel;
  if (findModel(models, last)) return last;
  return models[0]?.id ?? last;
}

/** A chat that has not begun takes a known model once the list has loaded. */
async function ensureUsableModel(): Promise<void> {
  const { models, status } = useModels.getState();
  const { activeId, chats, threads } = useChats.getState();
  if (status !== "ready" || !activeId) return;
  const chat = chats[activeId];
  const begun = (threads[activeId]?.ids.length ?? 0) > 0;
  if (!chat || chat.arena || begun || findModel(models, chat.model)) return;
  const model = defaultModel();
  if (model && model !== chat.model) await updateChat(activeId, { model });
}

/** Applies the other tabs' changes (`sync.ts`); saves drafts when the page goes away. */
function followOtherTabs(): void {
  onSync((event) => {
    if (event.kind === "settings") void loadSettings();
    else void applySync(event);
  });
  const flush = (): void => void flushDrafts();
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flush();
  });
}

export async function startApp(): Promise<void> {
  await loadSettings();
  void loadModels();
  followOtherTabs();
  await Promise.all([initChats(), loadDrafts()]);
  useChats.subscribe((s, prev) => {
    if (s.activeId !== prev.activeId || s.ready !== prev.ready) {
      void ensureOpenChat();
      void ensureUsableModel();
    }
  });
  useModels.subscribe((s, prev) => {
    if (s.status !== prev.status) void ensureUsableModel();
  });
  await ensureOpenChat();
  await ensureUsableModel();
  // Ask the browser not to evict the chats under storage pressure (it may say no).
  void navigator.storage?.persist?.().catch(() => false);
}
