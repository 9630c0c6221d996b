/**
 * Chats and the messages of the chats in view. A chat's messages are loaded when it is opened
 * and dropped from memory when another is opened, unless a reply is still running in it.
 *
 * Messages of a chat live in a `Thread`: `ids` keeps its identity while a message's content
 * changes, so the list re-renders only when messages are added or removed.
 */

import { create } from "zustand";
import { getRepo } from "../db/instance";
import { newId } from "../lib/ids";
import { chatsToPrune, clampMaxChats } from "../lib/prune";
import type { Chat, Message } from "../types";
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
  /** Chats with a request in flight. */
  running: Record<string, true>;
}

export const useChats = create<ChatsState>(() => ({
  ready: false,
  chats: {},
  activeId: null,
  threads: {},
  running: {},
}));

const get = useChats.getState;
const set = useChats.setState;

export function sortedChats(chats: Record<string, Chat>): Chat[] {
  return Object.values(chats).sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
}

function toThread(messages: readonly Message[]): Thread {
  const byId: Record<string, Message> = {};
  for (const m of messages) byId[m.id] = m;
  return { ids: messages.map((m) => m.id), byId };
}

/** Reads chats from the database and opens the most recent one. */
export async function initChats(): Promise<void> {
  const repo = await getRepo();
  await repo.markInterrupted();
  const list = await repo.loadChats();
  const chats: Record<string, Chat> = {};
  for (const chat of list) chats[chat.id] = chat;
  set({ chats, ready: true, activeId: null, threads: {} });
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

/** Starts a chat (or reuses the open one when it is still empty). */
export async function newChat(model: string | null): Promise<string> {
  const state = get();
  const active = state.activeId ? state.chats[state.activeId] : undefined;
  if (active && (state.threads[active.id]?.ids.length ?? 0) === 0 && !state.running[active.id]) {
    if (model && active.model !== model) await updateChat(active.id, { model });
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
  };
  set((s) => ({ chats: { ...s.chats, [chat.id]: chat } }));
  await (await getRepo()).putChat(chat);
  set((s) => ({ threads: { ...s.threads, [chat.id]: { ids: [], byId: {} } } }));
  await openChat(chat.id);
  await pruneChats();
  return chat.id;
}

export async function updateChat(id: string, patch: Partial<Omit<Chat, "id">>): Promise<void> {
  const chat = get().chats[id];
  if (!chat) return;
  const next = { ...chat, ...patch };
  set((s) => ({ chats: { ...s.chats, [id]: next } }));
  await (await getRepo()).putChat(next);
}

export async function renameChat(id: string, title: string): Promise<void> {
  const clean = title.replace(/\s+/g, " ").trim();
  if (!clean) return;
  await updateChat(id, { title: clean.slice(0, 200), titleIsCustom: true });
}

/** Deletes chats (their running replies must already be stopped). */
export async function deleteChats(ids: readonly string[]): Promise<void> {
  if (!ids.length) return;
  const gone = new Set(ids);
  const state = get();
  const chats = { ...state.chats };
  const threads = { ...state.threads };
  for (const id of gone) {
    delete chats[id];
    delete threads[id];
  }
  const activeId = state.activeId && gone.has(state.activeId) ? null : state.activeId;
  set({ chats, threads, activeId });
  // Open the next chat at once (its id is set synchronously), so no moment passes without one.
  const next = activeId === null ? sortedChats(chats)[0] : undefined;
  const opening = next ? openChat(next.id) : Promise.resolve();
  await (await getRepo()).deleteChats(ids);
  await opening;
}

/** Enforces the chat limit; the open chat and chats with running replies are kept. */
export async function pruneChats(): Promise<string[]> {
  const state = get();
  const keep = new Set<string>(Object.keys(state.running));
  if (state.activeId) keep.add(state.activeId);
  const ids = chatsToPrune(Object.values(state.chats), currentSettings().maxChats, keep);
  await deleteChats(ids);
  return ids;
}

export async function setMaxChats(value: number): Promise<string[]> {
  await updateSettings({ maxChats: clampMaxChats(value) });
  return pruneChats();
}

function nextSeq(thread: Thread | undefined): number {
  const lastId = thread?.ids[thread.ids.length - 1];
  const last = lastId ? thread?.byId[lastId] : undefined;
  return (last?.seq ?? 0) + 1;
}

/** Adds a message at the end of its chat (whose thread must be loaded). */
export async function appendMessage(
  draft: Omit<Message, "id" | "seq" | "createdAt"> & Partial<Pick<Message, "createdAt">>,
): Promise<Message> {
  const thread = get().threads[draft.chatId];
  const message: Message = {
    ...draft,
    id: newId(),
    seq: nextSeq(thread),
    createdAt: draft.createdAt ?? Date.now(),
  };
  set((s) => {
    const t = s.threads[message.chatId] ?? { ids: [], byId: {} };
    return {
      threads: {
        ...s.threads,
        [message.chatId]: { ids: [...t.ids, message.id], byId: { ...t.byId, [message.id]: message } },
      },
    };
  });
  await (await getRepo()).putMessage(message);
  return message;
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
  if (persist && updated && get().chats[chatId]) await (await getRepo()).putMessage(updated);
  return updated;
}

/** Replaces a message record whole (fields it no longer has are dropped), in memory and stored. */
export async function replaceMessage(message: Message): Promise<void> {
  if (!get().threads[message.chatId]?.byId[message.id]) return;
  set((s) => {
    const t = s.threads[message.chatId];
    if (!t) return s;
    return { threads: { ...s.threads, [message.chatId]: { ids: t.ids, byId: { ...t.byId, [message.id]: message } } } };
  });
  if (get().chats[message.chatId]) await (await getRepo()).putMessage(message);
}

/** Deletes every message after `id` in its chat (an edited message's branch replaces them). */
export async function removeMessagesAfter(chatId: string, id: string): Promise<void> {
  const t = get().threads[chatId];
  const index = t?.ids.indexOf(id) ?? -1;
  if (!t || index === -1) return;
  const gone = t.ids.slice(index + 1);
  if (!gone.length) return;
  set((s) => {
    const current = s.threads[chatId];
    if (!current) return s;
    const byId = { ...current.byId };
    for (const x of gone) delete byId[x];
    return { threads: { ...s.threads, [chatId]: { ids: current.ids.filter((x) => !gone.includes(x)), byId } } };
  });
  await (await getRepo()).deleteMessages(gone);
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
export async function reloadChats(): Promise<void> {
  const activeId = get().activeId;
  const list = await (await getRepo()).loadChats();
  const chats: Record<string, Chat> = {};
  for (const chat of list) chats[chat.id] = chat;
  const keepRunning = get().running;
  const threads: Record<string, Thread> = {};
  for (const [id, t] of Object.entries(get().threads)) {
    if (keepRunning[id] && chats[id]) threads[id] = t;
  }
  const target = activeId && chats[activeId] ? activeId : sortedChats(chats)[0]?.id;
  set({ chats, threads, activeId: target ?? null });
  if (target) await openChat(target);
}
