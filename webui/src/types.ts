/** The app's stored records (IndexedDB) and settings. */

import type { Citation, Mapping, Usage } from "./api/types";

export type Role = "user" | "assistant";

/** `streaming` only while a request runs; a reload finds it and marks the message `stopped`. */
export type MessageStatus = "done" | "streaming" | "stopped" | "error";

export interface MessageError {
  message: string;
  status: number | null;
  code: string | null;
  /** The server wants an API key: the UI offers to open Settings. */
  auth: boolean;
  /** What the server or the browser said, word for word (shown behind a "Details" toggle). */
  detail?: string;
}

export interface Message {
  id: string;
  chatId: string;
  /**
   * Position in the chat, increasing. Assigned by the database when the message is stored
   * (`Repo.appendMessage`), so tabs writing the same chat never reuse a number.
   */
  seq: number;
  role: Role;
  content: string;
  /** User: attached images as data URIs. Assistant: generated images (URLs). */
  images?: string[];
  reasoning?: string;
  citations?: Citation[];
  usage?: Usage;
  model?: string;
  /** Assistant: the site session that produced the reply. */
  sessionId?: string;
  /** Assistant: how the server mapped the request for this reply onto the site's sessions. */
  mapping?: Mapping;
  status: MessageStatus;
  error?: MessageError;
  createdAt: number;
  /** Assistant: milliseconds from the request to its first text, reasoning or image. */
  firstTokenMs?: number;
  /** Assistant: milliseconds from the request to the end of the reply. */
  durationMs?: number;
  /** Assistant in an arena chat: the column of the reply (`a` is model A, `b` model B). */
  side?: ArenaSide;
}

export interface Chat {
  id: string;
  title: string;
  /** The user renamed it: the first message no longer sets the title. */
  titleIsCustom: boolean;
  model: string | null;
  /**
   * LMArena's session of the latest reply (shown and copied). Requests carry the whole
   * conversation and the server finds the session (docs/API.md: whole histories); a session id
   * is sent only after a stopped reply (`services/history.ts`).
   */
  evaluationSessionId: string | null;
  createdAt: number;
  /** Last use (a message sent or received). Sorts the sidebar and decides pruning. */
  updatedAt: number;
  /** Sent first, as the `system` message, with every request of this chat. */
  systemPrompt?: string;
  /** Kept at the top of the list and never deleted by the chat limit. */
  pinned?: boolean;
  /** A compare (side-by-side) or battle chat: two replies per prompt (`model` is null). */
  arena?: ChatArena;
}

export type ArenaMode = "side-by-side" | "battle";
export type ArenaSide = "a" | "b";
export type ArenaWinner = "a" | "b" | "tie" | "both_bad";

export interface ArenaVote {
  winner: ArenaWinner;
  /** The prompt whose turn was judged (a vote judges the latest turn; one vote per chat). */
  promptId: string;
  at: number;
}

export interface ChatArena {
  mode: ArenaMode;
  /** The public names: chosen for a side-by-side, null in a battle until the vote reveals them. */
  modelA: string | null;
  modelB: string | null;
  vote?: ArenaVote;
}

export type ThemeSetting = "light" | "dark" | "system";
export type SendKey = "enter" | "ctrl-enter";

export interface Settings {
  theme: ThemeSetting;
  streaming: boolean;
  maxChats: number;
  sendKey: SendKey;
  apiKey: string;
  /** The model a new chat starts with. */
  lastModel: string | null;
}

export const DEFAULT_SETTINGS: Settings = {
  theme: "system",
  streaming: true,
  maxChats: 50,
  sendKey: "enter",
  apiKey: "",
  lastModel: null,
};

export const MAX_CHATS_LIMIT = 1000;
