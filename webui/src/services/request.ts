/** Builds the request body: only the new user message, plus the session id to continue. */

import type { ChatRequest, ContentPart } from "../api/types";
import type { Chat, Message } from "../types";

export function buildChatRequest(chat: Chat, prompt: Message, streaming: boolean): ChatRequest {
  const images = prompt.images ?? [];
  let content: string | ContentPart[] = prompt.content;
  if (images.length) {
    const parts: ContentPart[] = [];
    if (prompt.content.trim()) parts.push({ type: "text", text: prompt.content });
    for (const url of images) parts.push({ type: "image_url", image_url: { url } });
    content = parts;
  }
  const request: ChatRequest = {
    model: chat.model ?? "",
    messages: [{ role: "user", content }],
    stream: streaming,
  };
  if (streaming) request.stream_options = { include_usage: true };
  if (chat.evaluationSessionId) {
    request.conversation = { evaluationSessionId: chat.evaluationSessionId };
  }
  return request;
}
