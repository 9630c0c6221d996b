/**
 * IndexedDB persistence (through `idb`): chats, messages and settings. Only the open chat's
 * messages are read into memory; search walks the messages store with a cursor.
 */

import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Chat, Message, Settings } from "../types";

export const DB_NAME = "lmarena-webui";
const DB_VERSION = 1;
const SETTINGS_KEY = "settings";

interface Schema extends DBSchema {
  chats: { key: string; value: Chat; indexes: { "by-updated": number } };
  messages: { key: string; value: Message; indexes: { "by-chat": string } };
  settings: { key: string; value: Partial<Settings> };
}

export interface SearchHit {
  chatId: string;
  snippet: string;
}

export class Repo {
  private constructor(private readonly db: IDBPDatabase<Schema>) {}

  static async open(name: string = DB_NAME): Promise<Repo> {
    const db = await openDB<Schema>(name, DB_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          const chats = database.createObjectStore("chats", { keyPath: "id" });
          chats.createIndex("by-updated", "updatedAt");
          const messages = database.createObjectStore("messages", { keyPath: "id" });
          messages.createIndex("by-chat", "chatId");
          database.createObjectStore("settings");
        }
      },
    });
    return new Repo(db);
  }

  close(): void {
    this.db.close();
  }

  async loadChats(): Promise<Chat[]> {
    return this.db.getAll("chats");
  }

  async loadMessages(chatId: string): Promise<Message[]> {
    const messages = await this.db.getAllFromIndex("messages", "by-chat", chatId);
    return messages.sort((a, b) => a.seq - b.seq);
  }

  async putChat(chat: Chat): Promise<void> {
    await this.db.put("chats", chat);
  }

  async putMessage(message: Message): Promise<void> {
    await this.db.put("messages", message);
  }

  /** Deletes messages in one transaction. */
  async deleteMessages(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    const tx = this.db.transaction("messages", "readwrite");
    for (const id of ids) void tx.store.delete(id);
    await tx.done;
  }

  /** Deletes chats and all their messages in one transaction. */
  async deleteChats(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    const tx = this.db.transaction(["chats", "messages"], "readwrite");
    const byChat = tx.objectStore("messages").index("by-chat");
    for (const id of ids) {
      void tx.objectStore("chats").delete(id);
      for (let cursor = await byChat.openKeyCursor(id); cursor; cursor = await cursor.continue()) {
        void tx.objectStore("messages").delete(cursor.primaryKey);
      }
    }
    await tx.done;
  }

  /** Writes imported chats, replacing chats of the same id and their messages. */
  async importChats(chats: readonly Chat[], messages: readonly Message[]): Promise<void> {
    await this.deleteChats(chats.map((c) => c.id));
    const tx = this.db.transaction(["chats", "messages"], "readwrite");
    for (const chat of chats) void tx.objectStore("chats").put(chat);
    for (const message of messages) void tx.objectStore("messages").put(message);
    await tx.done;
  }

  async clearChats(): Promise<void> {
    const tx = this.db.transaction(["chats", "messages"], "readwrite");
    await Promise.all([tx.objectStore("chats").clear(), tx.objectStore("messages").clear(), tx.done]);
  }

  async allMessages(): Promise<Message[]> {
    return this.db.getAll("messages");
  }

  /** Messages left `streaming` by a reload or a crash become `stopped`. */
  async markInterrupted(): Promise<number> {
    const tx = this.db.transaction("messages", "readwrite");
    let count = 0;
    for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
      if (cursor.value.status === "streaming") {
        count++;
        void cursor.update({ ...cursor.value, status: "stopped" });
      }
    }
    await tx.done;
    return count;
  }

  async loadSettings(): Promise<Partial<Settings>> {
    return (await this.db.get("settings", SETTINGS_KEY)) ?? {};
  }

  async saveSettings(settings: Settings): Promise<void> {
    await this.db.put("settings", settings, SETTINGS_KEY);
  }

  /** Chats whose message text contains `query` (case-insensitive), with a snippet. */
  async searchMessages(query: string, limit = 200): Promise<SearchHit[]> {
    const needle = query.trim().toLocaleLowerCase();
    if (!needle) return [];
    const hits = new Map<string, string>();
    const tx = this.db.transaction("messages");
    for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
      const { chatId, content } = cursor.value;
      if (hits.has(chatId)) continue;
      const at = content.toLocaleLowerCase().indexOf(needle);
      if (at !== -1) hits.set(chatId, snippetAround(content, at, needle.length));
      if (hits.size >= limit) break;
    }
    return [...hits].map(([chatId, snippet]) => ({ chatId, snippet }));
  }
}

export function snippetAround(text: string, at: number, length: number, radius = 40): string {
  const start = Math.max(0, at - radius);
  const end = Math.min(text.length, at + length + radius);
  const body = text.slice(start, end).replace(/\s+/g, " ").trim();
  return `${start > 0 ? "…" : ""}${body}${end < text.length ? "…" : ""}`;
}
