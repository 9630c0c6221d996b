import { describe, expect, it } from "vitest";
import type { Chat, Message } from "../types";
import { buildChatRequest } from "./request";

const chat: Chat = { id: "c", title: "t", titleIsCustom: false, model: "gemini-3-pro", evaluationSessionId: null, createdAt: 0, updatedAt: 0 };
const prompt: Message = { id: "p", chatId: "c", seq: 3, role: "user", content: "look", status: "done", createdAt: 0 };

describe("buildChatRequest", () => {
  it("sends only the new user message, streaming with usage", () => {
    expect(buildChatRequest(chat, prompt, true)).toEqual({
      model: "gemini-3-pro",
      messages: [{ role: "user", content: "look" }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("sends images as image_url parts and the session id to continue", () => {
    const request = buildChatRequest(
      { ...chat, evaluationSessionId: "sess" },
      { ...prompt, images: ["data:image/png;base64,AA"] },
      false,
    );
    expect(request).toEqual({
      model: "gemini-3-pro",
      messages: [{ role: "user", content: [
        { type: "text", text: "look" },
        { type: "image_url", image_url: { url: "data:image/png;base64,AA" } },
      ] }],
      stream: false,
      conversation: { evaluationSessionId: "sess" },
    });
  });

  it("omits an empty text part when only images are sent", () => {
    const request = buildChatRequest(chat, { ...prompt, content: " ", images: ["data:image/png;base64,AA"] }, true);
    expect(request.messages[0].content).toEqual([{ type: "image_url", image_url: { url: "data:image/png;base64,AA" } }]);
  });
});
