/**
 * Keeps tabs of the app in step: every change written to the database is announced on a
 * BroadcastChannel, and the other tabs apply it to what they show. The database stays the one
 * source of truth (it assigns message positions); these messages only save a re-read.
 */

import type { Chat, Message } from "../types";

export type SyncEvent =
  | { kind: "chat"; chat: Chat }
  | { kind: "chats-deleted"; ids: string[] }
  | { kind: "message"; message: Message }
  | { kind: "messages-deleted"; chatId: string; ids: string[] }
  /** Many changes at once (an import, everything cleared): read the chats again. */
  | { kind: "reload" }
  | { kind: "settings" };

const CHANNEL = "lmarena-webui-sync";

let channel: BroadcastChannel | null | undefined;
const listeners = new Set<(event: SyncEvent) => void>();

function open(): BroadcastChannel | null {
  if (channel !== undefined) return channel;
  if (typeof BroadcastChannel === "undefined") {
    channel = null;
    return channel;
  }
  channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<SyncEvent>) => {
    for (const listener of listeners) listener(event.data);
  };
  return channel;
}

/** Tells the other tabs about a change this tab has written. */
export function broadcast(event: SyncEvent): void {
  try {
    open()?.postMessage(event);
  } catch {
    // a closed channel or a value that cannot be cloned: the other tabs catch up on reload
  }
}

/** Listens to the other tabs' changes; returns the function that stops listening. */
export function onSync(listener: (event: SyncEvent) => void): () => void {
  open();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Closes the channel (tests). */
export function closeSync(): void {
  channel?.close();
  channel = undefined;
  listeners.clear();
}
