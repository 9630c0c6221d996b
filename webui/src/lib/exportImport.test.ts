import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, type Chat, type Message } from "../types";
import {
  buildExport,
  EXPORT_FORMAT,
  MAX_IMAGE_DATA_CHARS,
  parseImportText,
  validateImport,
  type ExportedImage,
} from "./exportImport";

const chat: Chat = {
  id: "c1",
  title: "Hello",
  titleIsCustom: false,
  model: "m",
  evaluationSessionId: "s1",
  createdAt: 1,
  updatedAt: 2,
};
const message: Message = {
  id: "m1",
  chatId: "c1",
  seq: 1,
  role: "user",
  content: "hi",
  status: "done",
  createdAt: 1,
  images: ["data:image/png;base64,AAAA"],
};
const reply: Message = {
  id: "m2",
  chatId: "c1",
  seq: 2,
  role: "assistant",
  content: "yo",
  status: "streaming",
  createdAt: 2,
  citations: [{ url: "https://e.org", title: "E" }],
  reasoning: "r",
  model: "m",
  sessionId: "s1",
  mapping: "replayed",
};

describe("buildExport", () => {
  it("never includes the API key and marks streaming messages stopped", () => {
    const file = buildExport(
      { ...DEFAULT_SETTINGS, apiKey: "secret" },
      [chat],
      [message, reply],
      new Date(0),
    );
    expect(JSON.stringify(file)).not.toContain("secret");
    expect(file.format).toBe(EXPORT_FORMAT);
    expect(file.exportedAt).toBe("1970-01-01T00:00:00.000Z");
    expect(file.messages[1]?.status).toBe("stopped");
  });
});

describe("validateImport", () => {
  it("round-trips an export", () => {
    const file = buildExport({ ...DEFAULT_SETTINGS, theme: "dark", maxChats: 7 }, [chat], [message, reply]);
    const result = parseImportText(JSON.stringify(file));
    expect(result).toEqual({
      ok: true,
      data: {
        settings: { theme: "dark", streaming: true, maxChats: 7, sendKey: "enter" },
        chats: [chat],
        messages: [message, { ...reply, status: "stopped" }],
        images: [],
      },
    });
  });

  it.each([
    ["not JSON", "{", "not valid JSON"],
    ["an array", "[]", "expected a JSON object"],
    ["another format", JSON.stringify({ format: "x", version: 1 }), "format must be"],
    [
      "a newer version",
      JSON.stringify({ format: EXPORT_FORMAT, version: 9, chats: [], messages: [] }),
      "version 9",
    ],
    [
      "chats missing",
      JSON.stringify({ format: EXPORT_FORMAT, version: 1, messages: [] }),
      "chats must be an array",
    ],
    [
      "a chat without id",
      JSON.stringify({ format: EXPORT_FORMAT, version: 1, chats: [{ createdAt: 1 }], messages: [] }),
      "chats[0].id",
    ],
    [
      "a bad role",
      JSON.stringify({
        format: EXPORT_FORMAT,
        version: 1,
        chats: [chat],
        messages: [{ ...message, role: "system" }],
      }),
      "messages[0].role",
    ],
    [
      "a bad status",
      JSON.stringify({
        format: EXPORT_FORMAT,
        version: 1,
        chats: [chat],
        messages: [{ ...message, status: "weird" }],
      }),
      "status is not known",
    ],
    [
      "duplicate chats",
      JSON.stringify({ format: EXPORT_FORMAT, version: 1, chats: [chat, chat], messages: [] }),
      "appears twice",
    ],
  ])("rejects %s with a clear reason", (_name, text, reason) => {
    const result = parseImportText(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it("drops orphan messages, unsafe images and unknown settings; fills defaults", () => {
    const result = validateImport({
      format: EXPORT_FORMAT,
      version: 1,
      settings: { theme: "neon", maxChats: 99999, sendKey: "ctrl-enter", apiKey: "leak" },
      chats: [{ id: "c9", createdAt: 5 }],
      messages: [
        { id: "x", chatId: "gone", role: "user", content: "", createdAt: 1 },
        {
          id: "y",
          chatId: "c9",
          role: "assistant",
          content: "a",
          createdAt: 2,
          images: ["javascript:1", "https://i.test/p.png"],
        },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data.settings).toEqual({ maxChats: 1000, sendKey: "ctrl-enter" });
    expect(result.data.chats).toEqual([
      {
        id: "c9",
        title: "Untitled chat",
        titleIsCustom: false,
        model: null,
        evaluationSessionId: null,
        createdAt: 5,
        updatedAt: 5,
      },
    ]);
    expect(result.data.messages).toEqual([
      {
        id: "y",
        chatId: "c9",
        seq: 1,
        role: "assistant",
        content: "a",
        status: "done",
        createdAt: 2,
        images: ["https://i.test/p.png"],
      },
    ]);
  });
});

describe("stored images in a backup", () => {
  const url = "https://r2.test/u/1-m2.png?X-Amz-Expires=3600";
  const drawn: Message = { ...reply, status: "done", images: [url] };
  const kept: ExportedImage = {
    url,
    chatId: "c1",
    messageId: "m2",
    dataUrl: "data:image/png;base64,iVBORw0KGgo=",
  };

  function imported(images: unknown): ExportedImage[] {
    const file = { ...buildExport(DEFAULT_SETTINGS, [chat], [message, drawn]), images };
    const result = parseImportText(JSON.stringify(file));
    if (!result.ok) throw new Error(result.error);
    return result.data.images;
  }

  it("round-trip with the reply that shows them", () => {
    const file = buildExport(DEFAULT_SETTINGS, [chat], [message, drawn], new Date(0), [kept]);
    expect(file.images).toEqual([kept]);
    expect(imported(file.images)).toEqual([kept]);
  });

  it("belong to the message that shows their URL, whatever the entry claims", () => {
    expect(imported([{ ...kept, chatId: "other", messageId: "m1" }])).toEqual([kept]);
  });

  it("are dropped when not a whole base64 image of a known type, or shown by no message", () => {
    const bad = [
      null,
      "text",
      { ...kept, url: "https://r2.test/not-shown.png" },
      { ...kept, dataUrl: "data:text/html;base64,PHA+" },
      { ...kept, dataUrl: "data:image/svg+xml;base64,PHN2Zz4=" },
      { ...kept, dataUrl: "data:image/png;base64,<script>" },
      { ...kept, dataUrl: "data:image/png;base64," + "A".repeat(MAX_IMAGE_DATA_CHARS) },
      { url, chatId: "c1", messageId: "m2" },
    ];
    expect(imported(bad)).toEqual([]);
  });

  it("are optional: a file from before them imports with none", () => {
    expect(imported(undefined)).toEqual([]);
  });
});
