import { describe, expect, it } from "vitest";
import type { Message, MessageStatus } from "../types";
import {
  historyForEdit,
  historyForRegenerate,
  historyForSend,
  inConversation,
  sessionToResume,
} from "./history";
import { buildChatRequest } from "./request";

let seq = 0;
const user = (id: string, content: string, images?: string[]): Message => ({
  id,
  chatId: "c",
  seq: ++seq,
  role: "user",
  content,
  status: "done",
  createdAt: 0,
  ...(images ? { images } : {}),
});
const reply = (
  id: string,
  content: string,
  status: MessageStatus = "done",
  extra: Partial<Message> = {},
): Message => ({
  id,
  chatId: "c",
  seq: ++seq,
  role: "assistant",
  content,
  status,
  model: "m",
  sessionId: "s1",
  createdAt: 0,
  ...extra,
});
const ids = (messages: readonly Message[] | null): string[] | null => messages && messages.map((m) => m.id);
/** What the request carries, as role: text. */
const sent = (history: readonly Message[], model = "m"): string[] =>
  buildChatRequest(model, history, true).messages.map(
    (m) => `${m.role}: ${typeof m.content === "string" ? m.content : JSON.stringify(m.content)}`,
  );

const thread = [user("u1", "first"), reply("a1", "one"), user("u2", "second"), reply("a2", "two")];

describe("send", () => {
  it("sends every message up to the new prompt", () => {
    expect(sent(historyForSend([...thread, user("u3", "third")]))).toEqual([
      "user: first",
      "assistant: one",
      "user: second",
      "assistant: two",
      "user: third",
    ]);
  });

  it("leaves out failed replies without text, keeps a stopped or failed reply's partial text", () => {
    const messy = [
      user("u1", "q1"),
      reply("a1", "", "error"),
      user("u2", "q2"),
      reply("a2", "half of it", "stopped"),
      user("u3", "q3"),
      reply("a3", "partial", "error"),
      user("u4", "q4"),
      reply("a4", "", "done"), // an image-only reply is part of the conversation
      user("u5", "q5"),
    ];
    expect(ids(historyForSend(messy))).toEqual(["u1", "u2", "a2", "u3", "a3", "u4", "a4", "u5"]);
    expect(inConversation(reply("x", "typing", "streaming"))).toBe(false);
  });

  it("after a model switch sends the same conversation with the new model", () => {
    const request = buildChatRequest("other-model", historyForSend([...thread, user("u3", "third")]), true);
    expect(request.model).toBe("other-model");
    expect(request.messages).toHaveLength(5);
    expect(request.conversation).toBeUndefined();
  });
});

describe("regenerate", () => {
  it("sends the conversation up to and including the last reply's prompt", () => {
    expect(sent(historyForRegenerate(thread, "a2") ?? [])).toEqual([
      "user: first",
      "assistant: one",
      "user: second",
    ]);
    expect(ids(historyForRegenerate(thread.slice(0, 2), "a1"))).toEqual(["u1"]);
  });

  it("regenerating a failed reply after another failed one keeps both prompts", () => {
    const failed = [user("u1", "q1"), reply("a1", "", "error"), user("u2", "q2"), reply("a2", "", "error")];
    expect(ids(historyForRegenerate(failed, "a2"))).toEqual(["u1", "u2"]);
  });

  it("refuses what is not a reply to a prompt", () => {
    expect(historyForRegenerate(thread, "u2")).toBeNull();
    expect(historyForRegenerate(thread, "nope")).toBeNull();
    expect(historyForRegenerate([reply("a0", "orphan")], "a0")).toBeNull();
  });
});

describe("edit", () => {
  it("sends the conversation before the message, then the edited message; later ones are dropped", () => {
    expect(sent(historyForEdit(thread, "u2", "second, better") ?? [])).toEqual([
      "user: first",
      "assistant: one",
      "user: second, better",
    ]);
    expect(sent(historyForEdit(thread, "u1", "first, better") ?? [])).toEqual(["user: first, better"]);
  });

  it("keeps the edited message's images, and earlier images as they were", () => {
    const withImages = [
      user("u1", "look", ["data:image/png;base64,AA"]),
      reply("a1", "a cat"),
      user("u2", "this", ["data:image/png;base64,BB"]),
    ];
    const history = historyForEdit(withImages, "u2", "") ?? [];
    const messages = buildChatRequest("m", history, true).messages;
    expect(messages[0]?.content).toEqual([
      { type: "text", text: "look" },
      { type: "image_url", image_url: { url: "data:image/png;base64,AA" } },
    ]);
    expect(messages[2]?.content).toEqual([
      { type: "image_url", image_url: { url: "data:image/png;base64,BB" } },
    ]);
  });

  it("refuses a reply, an unknown message, or an empty message without images", () => {
    expect(historyForEdit(thread, "a1", "x")).toBeNull();
    expect(historyForEdit(thread, "nope", "x")).toBeNull();
    expect(historyForEdit(thread, "u2", "   ")).toBeNull();
  });
});

describe("sessionToResume", () => {
  const afterStop = [
    user("u1", "q1"),
    reply("a1", "half", "stopped", { sessionId: "stopped-session" }),
    user("u2", "q2"),
  ];

  it("names the session of a stopped reply right before the prompt (the server never recorded it)", () => {
    expect(sessionToResume(afterStop, "m")).toBe("stopped-session");
  });

  it("names none after a finished or failed reply, another model, or a reply without a session", () => {
    expect(sessionToResume([...thread, user("u3", "q")], "m")).toBeNull();
    expect(sessionToResume(afterStop, "other")).toBeNull();
    const failed = [user("u1", "q1"), reply("a1", "half", "error"), user("u2", "q2")];
    expect(sessionToResume(failed, "m")).toBeNull();
    const noSession = [
      user("u1", "q1"),
      reply("a1", "half", "stopped", { sessionId: undefined }),
      user("u2", "q2"),
    ];
    expect(sessionToResume(noSession, "m")).toBeNull();
    expect(sessionToResume([user("u1", "q1")], "m")).toBeNull();
  });
});
