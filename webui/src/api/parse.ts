/** Turns JSON of unknown shape from the API into the typed values of `types.ts`. */

import { asBoolean, asNumber, asString, isRecord, isSafeUrl } from "../lib/guards";
import {
  MAPPINGS,
  type ApiErrorBody,
  type ApiModel,
  type Citation,
  type Mapping,
  type ReplyUpdate,
  type Usage,
} from "./types";

export function parseModels(json: unknown): ApiModel[] {
  const data = isRecord(json) && Array.isArray(json.data) ? json.data : [];
  const models: ApiModel[] = [];
  const seen = new Set<string>();
  for (const item of data) {
    if (!isRecord(item)) continue;
    const id = asString(item.id);
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const caps = isRecord(item.capabilities) ? item.capabilities : {};
    const arena = asString(caps.arena);
    models.push({
      id,
      ownedBy: asString(item.owned_by) ?? "",
      displayName: asString(item.display_name) ?? id,
      capabilities: {
        textOutput: asBoolean(caps.text_output) ?? true,
        vision: asBoolean(caps.vision) ?? false,
        imageOutput: asBoolean(caps.image_output) ?? false,
        multipleImages: asBoolean(caps.multiple_images) ?? false,
        ...(arena ? { arena } : {}),
      },
    });
  }
  return models;
}

export function parseErrorBody(json: unknown): ApiErrorBody | undefined {
  if (!isRecord(json)) return undefined;
  const error = json.error;
  if (isRecord(error)) {
    return {
      message: asString(error.message) ?? "Unknown error",
      type: asString(error.type) ?? null,
      code: asString(error.code) ?? null,
      param: asString(error.param) ?? null,
    };
  }
  if (typeof error === "string") return { message: error, type: null, code: null, param: null };
  const detail = json.detail;
  if (typeof detail === "string") return { message: detail, type: null, code: null, param: null };
  return undefined;
}

export function parseUsage(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const promptTokens = asNumber(value.prompt_tokens);
  const completionTokens = asNumber(value.completion_tokens);
  if (promptTokens === undefined || completionTokens === undefined) return undefined;
  return {
    promptTokens,
    completionTokens,
    totalTokens: asNumber(value.total_tokens) ?? promptTokens + completionTokens,
  };
}

export function parseImages(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const urls = value.filter((u): u is string => typeof u === "string" && isSafeUrl(u, true));
  return urls.length ? urls : undefined;
}

export function parseCitations(value: unknown): Citation[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Citation[] = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const url = asString(item.url);
    if (!url || !isSafeUrl(url)) continue;
    out.push({ url, title: asString(item.title) || url });
  }
  return out.length ? out : undefined;
}

export function parseMapping(value: unknown): Mapping | undefined {
  return MAPPINGS.find((m) => m === value);
}

/** The vendor `conversation`'s session id and mapping, onto `update` (direct and arena). */
export function conversationFields(
  conversation: Record<string, unknown>,
  update: { sessionId?: string; mapping?: Mapping },
): void {
  const id = asString(conversation.evaluationSessionId);
  if (id) update.sessionId = id;
  const mapping = parseMapping(conversation.mapping);
  if (mapping) update.mapping = mapping;
}

/** The top-level vendor fields, shared by chunks and whole responses. */
function vendorFields(json: Record<string, unknown>, update: ReplyUpdate): void {
  if (isRecord(json.conversation)) conversationFields(json.conversation, update);
  const images = parseImages(json.images);
  if (images) update.images = images;
  const citations = parseCitations(json.citations);
  if (citations) update.citations = citations;
  const usage = parseUsage(json.usage);
  if (usage) update.usage = usage;
}

/** One `chat.completion.chunk` (or a mid-stream `{"error": …}`). */
export function parseChunk(json: unknown): ReplyUpdate {
  const update: ReplyUpdate = {};
  if (!isRecord(json)) return update;
  const error = parseErrorBody(json);
  if (error && "error" in json) {
    update.error = error;
    return update;
  }
  const choice = Array.isArray(json.choices) ? json.choices[0] : undefined;
  if (isRecord(choice)) {
    const delta = isRecord(choice.delta) ? choice.delta : {};
    const content = asString(delta.content);
    if (content) update.content = content;
    const reasoning = asString(delta.reasoning_content);
    if (reasoning) update.reasoning = reasoning;
    const finish = asString(choice.finish_reason);
    if (finish) update.finishReason = finish;
  }
  vendorFields(json, update);
  return update;
}

/** A whole non-streaming `chat.completion`. */
export function parseCompletion(json: unknown): ReplyUpdate {
  const update: ReplyUpdate = {};
  if (!isRecord(json)) return update;
  const choice = Array.isArray(json.choices) ? json.choices[0] : undefined;
  if (isRecord(choice)) {
    const message = isRecord(choice.message) ? choice.message : {};
    update.content = asString(message.content) ?? "";
    const reasoning = asString(message.reasoning_content);
    if (reasoning) update.reasoning = reasoning;
    const finish = asString(choice.finish_reason);
    if (finish) update.finishReason = finish;
  }
  vendorFields(json, update);
  return update;
}
