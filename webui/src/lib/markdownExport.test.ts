import { describe, expect, it } from "vitest";
import type { Chat, Message } from "../types";
import { chatToMarkdown, fileNameFor } from "./markdownExport";

const chat: Chat = {
  id: "c",
  title: "Math & more",
  titleIsCustom: false,
  model: "gpt",
  evaluationSessionId: "s-1",
  createdAt: 0,
  updatedAt: 0,
};
const base = { chatId: "c", createdAt: 0, status: "done" as const };

describe("chatToMarkdown", () => {
  it("writes headings per turn with images, reasoning, sources and failures", () => {
    const messages: Message[] = [
      { ...base, id: "1", seq: 1, role: "user", content: "Hi", images: ["data:image/png;base64,AA"] },
      {
        ...base,
        id: "2",
        seq: 2,
        role: "assistant",
        content: "Hello",
        model: "gpt",
        reasoning: "thought",
        citations: [{ url: "https://e.org", title: "E" }],
        images: ["https://i.test/x.png"],
      },
      {
        ...base,
        id: "3",
        seq: 3,
        role: "assistant",
        content: "part",
        status: "error",
        error: { message: "boom", status: 502, code: null, auth: false },
      },
    ];
    const md = chatToMarkdown(chat, messages);
    expect(md).toContain("# Math & more");
    expect(md).toContain("Session: `s-1`");
    expect(md).toContain("## User\n\nHi\n\n*(1 image attached)*");
    expect(md).toContain("## Assistant (gpt)");
    expect(md).toContain("<details><summary>Reasoning</summary>\n\nthought");
    expect(md).toContain("![Generated image 1](https://i.test/x.png)");
    expect(md).toContain("- [E](https://e.org)");
    expect(md).toContain("> Error: boom");
    expect(md.endsWith("\n")).toBe(true);
  });
});

describe("fileNameFor", () => {
  it("makes a safe file name", () => {
    expect(fileNameFor("Math & more: 日本 / x", "md")).toBe("Math-more-日本-x.md");
    expect(fileNameFor("???", "json")).toBe("chat.json");
  });
});
