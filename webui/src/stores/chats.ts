/**
 * Chats and the messages of the chats in view. A chat's messages are loaded when it is opened
 * and dropped from memory when another is opened, unless a reply is still running in it.
 *
 * Messages of a chat live in a `Thread`: `ids` keeps its identity while a message's content
 * changes, so the list re-renders only when messages are added or removed. `ids` is ordered by
 * `seq`, which the database assigns (`Repo.appendMessage`); every write is announced to the other
 * tabs (`services/sync.ts`), which apply it here through `applySync`.
 */

import { create } from "zustand";
import { getRepo } from "../db/instance";
import { newId } from "../lib/ids";
import { chatsToPrune, clampMaxChats } from "../lib/prune";
import { liveReplyIds } from "../services/replyLocks";
import { broadcast, type SyncEvent } from "../services/sync";
import type { Chat, ChatArena, Message } from "../types";
import { currentSettings, updateSettings } from "./settings";

export interface Thread {
  ids: string[];
  byId: Record<string, Message>;
}

export interface ChatsState {
  ready: boolean;
  chats: Record<string, Chat>;
  activeId: string | null;
  threads: Record<string, Thread>;
  /** Chats with a request in flight (in this tab). */
  running: Record<string, true>;
  /** Chats that hold at least one message (empty chats do not count toward the limit). */
  filled: Record<string, true>;
}

export const useChats = create<ChatsState>(() => ({
  ready: false,
  chats: {},
  activeId: null,
  threads: {},
  running: {},
  filled: {},
}));

const get = useChats.getState;
const set = useChats.setState;

/** Pinned chats first, then the most recently used. */
export function sortedChats(chats: Record<string, Chat>): Chat[] {
  return Object.values(chats).sort(
    (a, b) =>
      Number(Boolean(b.pinned)) - Number(Boolean(a.pinned)) ||
      b.updatedAt - a.updatedAt ||
      a.id.localeCompare(b.id),
  );
}

function bySeq(a: Message, b: Message): number {
  return a.seq - b.seq || a.createdAt - b.createdAt || a.id.localeCompare(b.id);
}

function toThread(messages: readonly Message[]): Thread {
  const byId: Record<string, Message> = {};
  for (const m of messages) byId[m.id] = m;
  return { ids: [...messages].sort(bySeq).map((m) => m.id), byId };
}

/** The thread with `message` added or replaced, kept in `seq` order. */
function upsert(thread: Thread, message: Message): Thread {
  const byId = { ...thread.byId, [message.id]: message };
  const known = thread.ids.includes(message.id);
  const old = thread.byId[message.id];
  if (known && old?.seq === message.seq) return { ids: thread.ids, byId };
  const ids = known ? thread.ids : [...thread.ids, message.id];
  const sorted = ids
    .map((id) => byId[id])
    .filter((m): m is Message => m !== undefined)
    .sort(bySeq)
    .map((m) => m.id);
  return { ids: sorted, byId };
}

function chatMap(list: readonly Chat[]): Record<string, Chat> {
  const chats: Record<string, Chat> = {};
  for (const chat of list) chats[chat.id] = chat;
  return chats;
}

async function filledChats(): Promise<Record<string, true>> {
  const filled: Record<string, true> = {};
  for (const id of await (await getRepo()).chatsWithMessages()) filled[id] = true;
  return filled;
}

/** Reads chats from the database and opens the most recent one. */
export async function initChats(): Promise<void> {
  const repo = await getRepo();
  await repo.markInterrupted(await liveReplyIds());
  const chats = chatMap(await repo.loadChats());
  set({ chats, filled: await filledChats(), ready: true, activeId: null, threads: {} });
  await pruneChats();
  const first = sortedChats(get().chats)[0];
  if (first) await openChat(first.id);
}

/** Opens a chat, loading its messages; drops the messages of chats no longer in view. */
export async function openChat(id: string): Promise<void> {
  const state = get();
  if (!state.chats[id]) return;
  const keep = (chatId: string): boolean => chatId === id || Boolean(state.running[chatId]);
  const threads: Record<string, Thread> = {};
  for (const [chatId, thread] of Object.entries(state.threads)) {
    if (keep(chatId)) threads[chatId] = thread;
  }
  set({ activeId: id, threads });
  if (threads[id]) return;
  const repo = await getRepo();
  const messages = await repo.loadMessages(id);
  if (get().threads[id]) return; // a concurrent open already loaded it
  set((s) => ({ threads: { ...s.threads, [id]: toThread(messages) } }));
}

/**
 * Starts a chat (or reuses the open one when it is still empty); with `arena`, a compare or
 * battle chat (`model` is then null).
 */
export async function newChat(model: string | null, arena?: ChatArena): Promise<string> {
  const state = get();
  const active = state.activeId ? state.chats[state.activeId] : undefined;
  if (active && (state.threads[active.id]?.ids.length ?? 0) === 0 && !state.running[active.id]) {
    if (arena || active.arena) await updateChat(active.id, { model, arena });
    else if (model && active.model !== model) await updateChat(active.id, { model });
    return active.id;
  }
  const now = Date.now();
  const chat: Chat = {
    id: newId(),
    title: "New chat",
    titleIsCustom: false,
    model,
    evaluationSessionId: null,
    createdAt: now,
    updatedAt: now,
    ...(arena ? { arena } : {}),
  };
  set((s) => ({ chats: { ...s.chats, [chat.id]: chat } }));
  await (await getRepo()).putChat(chat);
  broadcast({ kind: "chat", chat });
  set((s) => ({ threads: { ...s.threads, [chat.id]: { ids: [], byId: {} } } }));
  await openChat(chat.id);
  return chat.id;
}

export async function updateChat(id: string, patch: Partial<Omit<Chat, "id">>): Promise<void> {
  const chat = get().chats[id];
  if (!chat) return;
  const next = { ...chat, ...patch };
  set((s) => ({ chats: { ...s.chats, [id]: next } }));
  await (await getRepo()).putChat(next);
  broadcast({ kind: "chat", chat: next });
}

export async function renameChat(id: string, title: string): Promise<void> {
  const clean = title.replace(/\s+/g, " ").trim();
  if (!clean) return;
  await updateChat(id, { title: clean.slice(0, 200), titleIsCustom: true });
}

export async function setPinned(id: string, pinned: boolean): Promise<void> {
  await updateChat(id, { pinned });
}

/** Removes chats from memory and opens another when the open one went (no database write). */
function dropChats(ids: readonly string[]): Promise<void> {
  const gone = new Set(ids);
  const state = get();
  const chats = { ...state.chats };
  const threads = { ...state.threads };
  const filled = { ...state.filled };
  for (const id of gone) {
    delete chats[id];
    delete threads[id];
    delete filled[id];
  }
  const activeId = state.activeId && gone.has(state.activeId) ? null : state.activeId;
  set({ chats, threads, filled, activeId });
  // Open the next chat at once (its id is set synchronously), so no moment passes without one.
  const next = activeId === null ? sortedChats(chats)[0] : undefined;
  return next ? openChat(next.id) : Promise.resolve();
}

/** Deletes chats (their running replies must already be stopped). */
export async function deleteChats(ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const opening = dropChats(ids);
  await (await getRepo()).deleteChats(ids);
  broadcast({ kind: "chats-deleted", ids: [...ids] });
  await opening;
}

/** The chats the limit would delete: never the open, pinned or running ones; empty ones do not count. */
export function chatsOverLimit(limit: number, state: ChatsState = get()): Chat[] {
  const keep = new Set<string>(Object.keys(state.running));
  if (state.activeId) keep.add(state.activeId);
  for (const chat of Object.values(state.chats)) if (chat.pinned) keep.add(chat.id);
  const counted = Object.values(state.chats).filter((c) => state.filled[c.id]);
  const ids = new Set(chatsToPrune(counted, limit, keep));
  return counted.filter((c) => ids.has(c.id)).sort((a, b) => a.updatedAt - b.updatedAt);
}

/** Enforces the chat limit (see `chatsOverLimit`); returns the deleted chats. */
export async function pruneChats(): Promise<Chat[]> {
  const gone = chatsOverLimit(currentSettings().maxChats);
  await deleteChats(gone.map((c) => c.id));
  return gone;
}

/** "“A”, “B” and 3 more": the chats a prune removed, for a notice. */
export function describeChats(chats: readonly Chat[], show = 3): string {
  const names = chats.slice(0, show).map((c) => `“${c.title}”`);
  const more = chats.length - names.length;
  if (more > 0) return `${names.join(", ")} and ${more} more`;
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1] ?? ""}`;
}

export async function setMaxChats(value: number): Promise<Chat[]> {
  await updateSettings({ maxChats: clampMaxChats(value) });
  return pruneChats();
}

function insertMessage(message: Message): void {
  set((s) => {
    const t = s.threads[message.chatId] ?? { ids: [], byId: {} };
    return {
      threads: { ...s.threads, [message.chatId]: upsert(t, message) },
      filled: s.filled[message.chatId] ? s.filled : { ...s.filled, [message.chatId]: true },
    };
  });
}

/**
 * Adds a message at the end of its chat (whose thread must be loaded). The database gives it its
 * position, after every message stored so far by any tab.
 */
export async function appendMessage(
  draft: Omit<Message, "id" | "seq" | "createdAt"> & Partial<Pick<Message, "createdAt">>,
): Promise<Message> {
  const message = await (
    await getRepo()
  ).appendMessage({ ...draft, id: newId(), createdAt: draft.createdAt ?? Date.now() });
  insertMessage(message);
  broadcast({ kind: "message", message });
  return message;
}

async function storeMessage(message: Message): Promise<void> {
  await (await getRepo()).putMessage(message);
  broadcast({ kind: "message", message });
}

/** Changes a message in memory; `persist` also writes it to the database. */
export async function patchMessage(
  chatId: string,
  id: string,
  patch: Partial<Omit<Message, "id" | "chatId">>,
  persist = true,
): Promise<Message | undefined> {
  let updated: Message | undefined;
  set((s) => {
    const t = s.threads[chatId];
    const old = t?.byId[id];
    if (!t || !old) return s;
    updated = { ...old, ...patch };
    return { threads: { ...s.threads, [chatId]: { ids: t.ids, byId: { ...t.byId, [id]: updated } } } };
  });
  if (persist && updated && get().chats[chatId]) await storeMessage(updated);
  return updated;
}

/** Replaces a message record whole (fields it no longer has are dropped), in memory and stored. */
export async function replaceMessage(message: Message): Promise<void> {
  if (!get().threads[message.chatId]?.byId[message.id]) return;
  set((s) => {
    const t = s.threads[message.chatId];
    if (!t) return s;
    return {
      threads: { ...s.threads, [message.chatId]: { ids: t.ids, byId: { ...t.byId, [message.id]: message } } },
    };
  });
  if (get().chats[message.chatId]) await storeMessage(message);
}

function dropMessages(chatId: string, gone: readonly string[]): void {
  set((s) => {
    const current = s.threads[chatId];
    if (!current) return s;
    const byId = { ...current.byId };
    for (const x of gone) delete byId[x];
    return {
      threads: { ...s.threads, [chatId]: { ids: current.ids.filter((x) => !gone.includes(x)), byId } },
    };
  });
}

/** Deletes every message after `id` in its chat (an edited message's branch replaces them). */
export async function removeMessagesAfter(chatId: string, id: string): Promise<void> {
  const t = get().threads[chatId];
  const index = t?.ids.indexOf(id) ?? -1;
  if (!t || index === -1) return;
  const gone = t.ids.slice(index + 1);
  if (!gone.length) return;
  dropMessages(chatId, gone);
  await (await getRepo()).deleteMessages(gone);
  broadcast({ kind: "messages-deleted", chatId, ids: gone });
}

export function setRunning(chatId: string, running: boolean): void {
  set((s) => {
    const next = { ...s.running };
    if (running) next[chatId] = true;
    else delete next[chatId];
    return { running: next };
  });
}

export function threadMessages(chatId: string): Message[] {
  const t = get().threads[chatId];
  return t ? t.ids.map((id) => t.byId[id]).filter((m): m is Message => m !== undefined) : [];
}

/** Replaces in-memory state after an import or a clear (the database is already written). */
export async function reloadChats(announce = true): Promise<void> {
  const activeId = get().activeId;
  const chats = chatMap(await (await getRepo()).loadChats());
  const keepRunning = get().running;
  const threads: Record<string, Thread> = {};
  for (const [id, t] of Object.entries(get().threads)) {
    if (keepRunning[id] && chats[id]) threads[id] = t;
  }
  const target = activeId && chats[activeId] ? activeId : sortedChats(chats)[0]?.id;
  set({ chats, threads, filled: await filledChats(), activeId: target ?? null });
  if (announce) broadcast({ kind: "reload" });
  if (target) await openChat(target);
}

/**
 * Applies another tab's change. A reply this tab is streaming is ahead of what the other tab
 * saw, so its record here is kept.
 */
export async function applySync(event: SyncEvent): Promise<void> {
  const state = get();
  if (!state.ready) return;
  switch (event.kind) {
    case "chat": {
      set((s) => ({ chats: { ...s.chats, [event.chat.id]: event.chat } }));
      return;
    }
    case "chats-deleted": {
      const ids = event.ids.filter((id) => state.chats[id] && !state.running[id]);
      if (ids.length) await dropChats(ids);
      return;
    }
    case "message": {
      const { message } = event;
      const thread = state.threads[message.chatId];
      const mine = state.running[message.chatId] && thread?.byId[message.id]?.status === "streaming";
      if (thread && !mine) insertMessage(message);
      else if (!state.filled[message.chatId])
        set((s) => ({ filled: { ...s.filled, [message.chatId]: true } }));
      return;
    }
    case "messages-deleted": {
      if (state.threads[event.chatId]) dropMessages(event.chatId, event.ids);
      return;
    }
    case "reload": {
      await reloadChats(false);
      return;
    }
    case "settings":
      return; // handled by the settings store's listener
  }
}
