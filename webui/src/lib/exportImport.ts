/**
 * The backup file: every chat, message and setting (but never the API key), and the stored bytes
 * of generated images (their signed URLs expire), as versioned JSON. Import is tolerant of
 * unknown fields and strict about the ones it needs, and says what is wrong.
 */

import { parseCitations, parseMapping } from "../api/parse";
import { readChatArena, readSide } from "./arena";
import { asBoolean, asNumber, asString, isRecord, isSafeUrl } from "./guards";
import { clampMaxChats } from "./prune";
import type { Chat, Message, MessageError, MessageStatus, Settings } from "../types";

export const EXPORT_FORMAT = "lmarena-webui-export";
export const EXPORT_VERSION = 1;

export type ExportedSettings = Omit<Settings, "apiKey">;

/** A generated image's stored copy: the URL its reply names, and the bytes as a data: URL. */
export interface ExportedImage {
  url: string;
  chatId: string;
  messageId: string;
  dataUrl: string;
}

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  settings: ExportedSettings;
  chats: Chat[];
  messages: Message[];
  /** Added within version 1: older files have none, older apps ignore them. */
  images: ExportedImage[];
}

export interface ImportData {
  settings: Partial<ExportedSettings>;
  chats: Chat[];
  messages: Message[];
  images: ExportedImage[];
}

const IMAGE_DATA_URL = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
/** Base64 characters of one stored image at most (about 20 MB of bytes). */
export const MAX_IMAGE_DATA_CHARS = 28_000_000;

export type ImportResult = { ok: true; data: ImportData } | { ok: false; error: string };

export function buildExport(
  settings: Settings,
  chats: Chat[],
  messages: Message[],
  now: Date = new Date(),
  images: ExportedImage[] = [],
): ExportFile {
  const { apiKey: _secret, ...rest } = settings;
  void _secret;
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    settings: rest,
    chats,
    messages: messages.map((m) => (m.status === "streaming" ? { ...m, status: "stopped" } : m)),
    images,
  };
}

class InvalidImport extends Error {}

function fail(message: string): never {
  throw new InvalidImport(message);
}

function requireString(obj: Record<string, unknown>, key: string, where: string): string {
  const value = asString(obj[key]);
  if (value === undefined || value === "") fail(`${where}.${key} must be a non-empty string`);
  return value;
}

function requireTime(obj: Record<string, unknown>, key: string, where: string): number {
  const value = asNumber(obj[key]);
  if (value === undefined || value < 0) fail(`${where}.${key} must be a timestamp (a number)`);
  return value;
}

function readChat(value: unknown, index: number): Chat {
  const where = `chats[${index}]`;
  if (!isRecord(value)) fail(`${where} must be an object`);
  const id = requireString(value, "id", where);
  const createdAt = requireTime(value, "createdAt", where);
  const chat: Chat = {
    id,
    title: asString(value.title) ?? "Untitled chat",
    titleIsCustom: asBoolean(value.titleIsCustom) ?? false,
    model: asString(value.model) ?? null,
    evaluationSessionId: asString(value.evaluationSessionId) ?? null,
    createdAt,
    updatedAt: asNumber(value.updatedAt) ?? createdAt,
  };
  const systemPrompt = asString(value.systemPrompt);
  if (systemPrompt) chat.systemPrompt = systemPrompt;
  if (asBoolean(value.pinned)) chat.pinned = true;
  const arena = readChatArena(value.arena);
  if (arena) chat.arena = arena;
  return chat;
}

const STATUSES: readonly MessageStatus[] = ["done", "streaming", "stopped", "error"];

function readError(value: unknown): MessageError | undefined {
  if (!isRecord(value)) return undefined;
  const detail = asString(value.detail);
  return {
    message: asString(value.message) ?? "Error",
    status: asNumber(value.status) ?? null,
    code: asString(value.code) ?? null,
    auth: asBoolean(value.auth) ?? false,
    ...(detail ? { detail } : {}),
  };
}

function readMessage(value: unknown, index: number): Message {
  const where = `messages[${index}]`;
  if (!isRecord(value)) fail(`${where} must be an object`);
  const role = value.role;
  if (role !== "user" && role !== "assistant") fail(`${where}.role must be "user" or "assistant"`);
  const content = asString(value.content);
  if (content === undefined) fail(`${where}.content must be a string`);
  const rawStatus = asString(value.status) ?? "done";
  if (!STATUSES.includes(rawStatus as MessageStatus)) fail(`${where}.status is not known: ${rawStatus}`);
  const status = rawStatus === "streaming" ? "stopped" : (rawStatus as MessageStatus);
  const message: Message = {
    id: requireString(value, "id", where),
    chatId: requireString(value, "chatId", where),
    seq: asNumber(value.seq) ?? index,
    role,
    content,
    status,
    createdAt: requireTime(value, "createdAt", where),
  };
  if (Array.isArray(value.images)) {
    const images = value.images.filter((u): u is string => typeof u === "string" && isSafeUrl(u, true));
    if (images.length) message.images = images;
  }
  const reasoning = asString(value.reasoning);
  if (reasoning) message.reasoning = reasoning;
  const citations = parseCitations(value.citations);
  if (citations) message.citations = citations;
  const model = asString(value.model);
  if (model) message.model = model;
  const sessionId = asString(value.sessionId);
  if (sessionId) message.sessionId = sessionId;
  const mapping = parseMapping(value.mapping);
  if (mapping) message.mapping = mapping;
  const error = readError(value.error);
  if (error) message.error = error;
  const firstTokenMs = asNumber(value.firstTokenMs);
  if (firstTokenMs !== undefined && firstTokenMs >= 0) message.firstTokenMs = firstTokenMs;
  const durationMs = asNumber(value.durationMs);
  if (durationMs !== undefined && durationMs >= 0) message.durationMs = durationMs;
  const side = readSide(value.side);
  if (side) message.side = side;
  return message;
}

/**
 * The stored images worth keeping: each must be a whole base64 image of a known type, for a URL
 * that a message of the file shows. Anything else is dropped, never an error: the chats stand.
 */
function readImages(value: unknown, messages: readonly Message[]): ExportedImage[] {
  if (!Array.isArray(value)) return [];
  const shown = new Map<string, Message>();
  for (const message of messages) for (const url of message.images ?? []) shown.set(url, message);
  const images = new Map<string, ExportedImage>();
  for (const raw of value) {
    if (!isRecord(raw)) continue;
    const url = asString(raw.url);
    const dataUrl = asString(raw.dataUrl);
    const owner = url === undefined ? undefined : shown.get(url);
    if (!owner || !url || dataUrl === undefined) continue;
    if (dataUrl.length > MAX_IMAGE_DATA_CHARS || !IMAGE_DATA_URL.test(dataUrl)) continue;
    images.set(url, { url, chatId: owner.chatId, messageId: owner.id, dataUrl });
  }
  return [...images.values()];
}

function readSettings(value: unknown): Partial<ExportedSettings> {
  if (!isRecord(value)) return {};
  const out: Partial<ExportedSettings> = {};
  if (value.theme === "light" || value.theme === "dark" || value.theme === "system") {
    out.theme = value.theme;
  }
  const streaming = asBoolean(value.streaming);
  if (streaming !== undefined) out.streaming = streaming;
  const maxChats = asNumber(value.maxChats);
  if (maxChats !== undefined) out.maxChats = clampMaxChats(maxChats);
  if (value.sendKey === "enter" || value.sendKey === "ctrl-enter") out.sendKey = value.sendKey;
  const lastModel = asString(value.lastModel);
  if (lastModel) out.lastModel = lastModel;
  return out;
}

/** Checks a parsed backup file. Messages of chats not in the file are dropped. */
export function validateImport(json: unknown): ImportResult {
  try {
    if (!isRecord(json)) fail("The file is not a backup: expected a JSON object");
    if (json.format !== EXPORT_FORMAT) {
      fail(`The file is not a backup of this app (format must be "${EXPORT_FORMAT}")`);
    }
    const version = asNumber(json.version);
    if (version === undefined) fail("version must be a number");
    if (version > EXPORT_VERSION) {
      fail(`This backup is version ${version}; this app reads up to version ${EXPORT_VERSION}`);
    }
    if (!Array.isArray(json.chats)) fail("chats must be an array");
    if (!Array.isArray(json.messages)) fail("messages must be an array");
    const chats = json.chats.map(readChat);
    const chatIds = new Set<string>();
    for (const chat of chats) {
      if (chatIds.has(chat.id)) fail(`chat id ${chat.id} appears twice`);
      chatIds.add(chat.id);
    }
    const messageIds = new Set<string>();
    const messages: Message[] = [];
    json.messages.forEach((raw, i) => {
      const message = readMessage(raw, i);
      if (messageIds.has(message.id)) fail(`message id ${message.id} appears twice`);
      messageIds.add(message.id);
      if (chatIds.has(message.chatId)) messages.push(message);
    });
    const images = readImages(json.images, messages);
    return { ok: true, data: { settings: readSettings(json.settings), chats, messages, images } };
  } catch (error) {
    if (error instanceof InvalidImport) return { ok: false, error: error.message };
    throw error;
  }
}

/** Reads a backup file's text. */
export function parseImportText(text: string): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: "The file is not valid JSON" };
  }
  return validateImport(json);
}
