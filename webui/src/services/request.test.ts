import { describe, expect, it } from "vitest";
import type { Message } from "../types";
import { buildChatRequest, toWireMessage } from "./request";

const IMG = "data:image/png;base64,AA";
const user = (id: string, content: string, images?: string[]): Message => ({
  id,
  chatId: "c",
  seq: 1,
  role: "user",
  content,
  status: "done",
  createdAt: 0,
  ...(images ? { images } : {}),
});
const assistant = (id: string, content: string): Message => ({
  id,
  chatId: "c",
  seq: 2,
  role: "assistant",
  content,
  status: "done",
  model: "m",
  createdAt: 0,
  reasoning: "why",
  citations: [{ url: "https://e.org", title: "E" }],
  sessionId: "s",
  mapping: "new",
});

describe("buildChatRequest", () => {
  it("sends the whole conversation, streaming with usage, and no session id", () => {
    expect(
      buildChatRequest(
        "gemini-3-pro",
        [user("u1", "hi"), assistant("a1", "Hello!"), user("u2", "more")],
        true,
      ),
    ).toEqual({
      model: "gemini-3-pro",
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "more" },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("names a session to resume only when asked to, and streams only when asked to", () => {
    const request = buildChatRequest("m", [user("u", "q")], false, "sess");
    expect(request).toEqual({
      model: "m",
      messages: [{ role: "user", content: "q" }],
      stream: false,
      conversation: { evaluationSessionId: "sess" },
    });
  });
});

describe("system prompt", () => {
  it("goes first, as a system message, when the chat has one", () => {
    const request = buildChatRequest("m", [user("u", "Hi")], true, null, "  Be brief.  ");
    expect(request.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ]);
  });

  it("is left out when blank", () => {
    expect(buildChatRequest("m", [user("u", "Hi")], true, null, "  ").messages).toEqual([
      { role: "user", content: "Hi" },
    ]);
  });
});

describe("toWireMessage", () => {
  it("writes images as image_url parts, the same URIs every time (earlier messages too)", () => {
    const earlier = user("u1", "look", [IMG]);
    const request = buildChatRequest("m", [earlier, assistant("a1", "A cat."), user("u2", "and?")], true);
    expect(request.messages[0]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "look" },
        { type: "image_url", image_url: { url: IMG } },
      ],
    });
    expect(toWireMessage(earlier)).toEqual(request.messages[0]);
  });

  it("omits an empty text part when only images are sent", () => {
    expect(toWireMessage(user("u", " ", [IMG]))).toEqual({
      role: "user",
      content: [{ type: "image_url", image_url: { url: IMG } }],
    });
  });

  it("sends a reply as its text only: no reasoning, sources or images", () => {
    expect(toWireMessage({ ...assistant("a", "Text"), images: ["https://x/y.png"] })).toEqual({
      role: "assistant",
      content: "Text",
    });
  });
});
