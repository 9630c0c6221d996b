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
}

export interface Message {
  id: string;
  chatId: string;
  /** Position in the chat, increasing. */
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
