/**
 * Builds the request body: the conversation (see `history.ts`) in the API's message format.
 * Messages are written the same way every time, images as the same data URIs or URLs, so the
 * server recognises a history it has seen (its fingerprints) and uploads only the prompt's images.
 */

import type { ChatRequest, ContentPart, WireMessage } from "../api/types";
import type { Message } from "../types";

export function toWireMessage(message: Message): WireMessage {
  if (message.role === "assistant") return { role: "assistant", content: message.content };
  const images = message.images ?? [];
  if (!images.length) return { role: "user", content: message.content };
  const parts: ContentPart[] = [];
  if (message.content.trim()) parts.push({ type: "text", text: message.content });
  for (const url of images) parts.push({ type: "image_url", image_url: { url } });
  return { role: "user", content: parts };
}

/**
 * `history` ends with the prompt. `resume` is a session id to send as the vendor field (only
 * after a stopped reply: `sessionToResume`); otherwise the server maps the history itself.
 * `system` (the chat's system prompt) goes first, as a `system` message, when it is not blank.
 */
export function buildChatRequest(
  model: string,
  history: readonly Message[],
  streaming: boolean,
  resume: string | null = null,
  system = "",
): ChatRequest {
  const messages: WireMessage[] = system.trim() ? [{ role: "system", content: system.trim() }] : [];
  const request: ChatRequest = {
    model,
    messages: [...messages, ...history.map(toWireMessage)],
    stream: streaming,
  };
  if (streaming) request.stream_options = { include_usage: true };
  if (resume) request.conversation = { evaluationSessionId: resume };
  return request;
}
