/**
 * IndexedDB persistence (through `idb`): chats, messages, settings, drafts and the bytes of
 * generated images. Only the open chat's messages are read into memory; search walks the
 * messages store with a cursor. A message's position (`seq`) is assigned here, inside the
 * transaction that stores it, so two tabs appending to one chat never share a number.
 */

import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Chat, Message, Settings } from "../types";

export const DB_NAME = "lmarena-webui";
const DB_VERSION = 2;
const SETTINGS_KEY = "settings";

/** A draft as stored: the text and attached images (data URIs) of a chat's message box. */
export interface StoredDraft {
  chatId: string;
  text: string;
  attachments: { id: string; name: string; dataUrl: string }[];
}

/** A generated image's bytes, fetched once when its reply arrived (signed URLs expire). */
export interface StoredImage {
  url: string;
  chatId: string;
  messageId: string;
  blob: Blob;
}

interface Schema extends DBSchema {
  chats: { key: string; value: Chat; indexes: { "by-updated": number } };
  messages: {
    key: string;
    value: Message;
    indexes: { "by-chat": string; "by-chat-seq": [string, number] };
  };
  settings: { key: string; value: Partial<Settings> };
  drafts: { key: string; value: StoredDraft };
  images: { key: string; value: StoredImage; indexes: { "by-chat": string } };
}

/** All keys of one chat in the `[chatId, seq]` index. */
function chatSeqRange(chatId: string): IDBKeyRange {
  return IDBKeyRange.bound([chatId, -Infinity], [chatId, Infinity]);
}

export interface SearchHit {
  chatId: string;
  snippet: string;
}

export class Repo {
  private constructor(private readonly db: IDBPDatabase<Schema>) {}

  static async open(name: string = DB_NAME): Promise<Repo> {
    const db = await openDB<Schema>(name, DB_VERSION, {
      upgrade(database, oldVersion, _newVersion, transaction) {
        if (oldVersion < 1) {
          const chats = database.createObjectStore("chats", { keyPath: "id" });
          chats.createIndex("by-updated", "updatedAt");
          const messages = database.createObjectStore("messages", { keyPath: "id" });
          messages.createIndex("by-chat", "chatId");
          database.createObjectStore("settings");
        }
        if (oldVersion < 2) {
          transaction.objectStore("messages").createIndex("by-chat-seq", ["chatId", "seq"]);
          database.createObjectStore("drafts", { keyPath: "chatId" });
          const images = database.createObjectStore("images", { keyPath: "url" });
          images.createIndex("by-chat", "chatId");
        }
      },
      // A tab with a newer build upgrades the database: let it (rather than block it forever).
      blocking() {
        db.close();
      },
    });
    return new Repo(db);
  }

  /** The database's name (another connection to it: `Repo.open(repo.name)`). */
  get name(): string {
    return this.db.name;
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

  async getChat(id: string): Promise<Chat | undefined> {
    return this.db.get("chats", id);
  }

  async getMessage(id: string): Promise<Message | undefined> {
    return this.db.get("messages", id);
  }

  async putMessage(message: Message): Promise<void> {
    await this.db.put("messages", message);
  }

  /**
   * Stores a new message at the end of its chat: its `seq` is one more than the highest stored,
   * read and written in one transaction (transactions on a store run one after another, across
   * tabs too), so concurrent writers never share or reorder positions.
   */
  async appendMessage(draft: Omit<Message, "seq">): Promise<Message> {
    const tx = this.db.transaction("messages", "readwrite");
    const last = await tx.store.index("by-chat-seq").openKeyCursor(chatSeqRange(draft.chatId), "prev");
    const message: Message = { ...draft, seq: (last?.key[1] ?? 0) + 1 };
    await tx.store.put(message);
    await tx.done;
    return message;
  }

  /** Ids of the chats that hold at least one message. */
  async chatsWithMessages(): Promise<Set<string>> {
    const ids = new Set<string>();
    const index = this.db.transaction("messages").store.index("by-chat");
    for (let c = await index.openKeyCursor(null, "nextunique"); c; c = await c.continue()) ids.add(c.key);
    return ids;
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
    const tx = this.db.transaction(["chats", "messages", "drafts", "images"], "readwrite");
    const byChat = tx.objectStore("messages").index("by-chat");
    const imagesByChat = tx.objectStore("images").index("by-chat");
    for (const id of ids) {
      void tx.objectStore("chats").delete(id);
      void tx.objectStore("drafts").delete(id);
      for (let cursor = await byChat.openKeyCursor(id); cursor; cursor = await cursor.continue()) {
        void tx.objectStore("messages").delete(cursor.primaryKey);
      }
      for (let cursor = await imagesByChat.openKeyCursor(id); cursor; cursor = await cursor.continue()) {
        void tx.objectStore("images").delete(cursor.primaryKey);
      }
    }
    await tx.done;
  }

  /** Writes imported chats, replacing chats of the same id with their messages and images. */
  async importChats(
    chats: readonly Chat[],
    messages: readonly Message[],
    images: readonly StoredImage[] = [],
  ): Promise<void> {
    await this.deleteChats(chats.map((c) => c.id));
    const tx = this.db.transaction(["chats", "messages", "images"], "readwrite");
    for (const chat of chats) void tx.objectStore("chats").put(chat);
    for (const message of messages) void tx.objectStore("messages").put(message);
    for (const image of images) void tx.objectStore("images").put(image);
    await tx.done;
  }

  async clearChats(): Promise<void> {
    const stores = ["chats", "messages", "drafts", "images"] as const;
    const tx = this.db.transaction(stores, "readwrite");
    await Promise.all([...stores.map((name) => tx.objectStore(name).clear()), tx.done]);
  }

  async loadDrafts(): Promise<StoredDraft[]> {
    return this.db.getAll("drafts");
  }

  async putDraft(draft: StoredDraft): Promise<void> {
    await this.db.put("drafts", draft);
  }

  async deleteDraft(chatId: string): Promise<void> {
    await this.db.delete("drafts", chatId);
  }

  async getImage(url: string): Promise<StoredImage | undefined> {
    return this.db.get("images", url);
  }

  async putImage(image: StoredImage): Promise<void> {
    await this.db.put("images", image);
  }

  async allImages(): Promise<StoredImage[]> {
    return this.db.getAll("images");
  }

  async allMessages(): Promise<Message[]> {
    return this.db.getAll("messages");
  }

  /**
   * Messages left `streaming` by a reload or a crash become `stopped`; `live` are replies still
   * streaming in another tab (left alone).
   */
  async markInterrupted(live: ReadonlySet<string> = new Set()): Promise<number> {
    const tx = this.db.transaction("messages", "readwrite");
    let count = 0;
    for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
      if (cursor.value.status === "streaming" && !live.has(cursor.value.id)) {
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
