import { describe, expect, it } from "vitest";
import { chunk } from "../test/sse";
import { parseChunk, parseCompletion, parseErrorBody, parseModels } from "./parse";

describe("parseModels", () => {
  it("reads ids, organizations and the capabilities vendor field", () => {
    const models = parseModels({
      object: "list",
      data: [
        {
          id: "gemini-3-pro",
          object: "model",
          created: 0,
          owned_by: "google",
          display_name: "Gemini",
          capabilities: { text_output: true, vision: true, image_output: false, multiple_images: true },
        },
        { id: "flux", owned_by: "bfl", capabilities: { text_output: false, image_output: true } },
        { id: "gemini-3-pro" }, // duplicate id: dropped
        { nope: 1 },
      ],
    });
    expect(models).toEqual([
      {
        id: "gemini-3-pro",
        ownedBy: "google",
        displayName: "Gemini",
        capabilities: { textOutput: true, vision: true, imageOutput: false, multipleImages: true },
      },
      {
        id: "flux",
        ownedBy: "bfl",
        displayName: "flux",
        capabilities: { textOutput: false, vision: false, imageOutput: true, multipleImages: false },
      },
    ]);
  });

  it("returns an empty list for a body of the wrong shape", () => {
    expect(parseModels({ data: "x" })).toEqual([]);
    expect(parseModels(null)).toEqual([]);
  });
});

describe("parseChunk", () => {
  it("reads content and reasoning deltas", () => {
    expect(parseChunk(chunk({ content: "Hi" }))).toEqual({ content: "Hi" });
    expect(parseChunk(chunk({ reasoning_content: "hmm" }))).toEqual({ reasoning: "hmm" });
    expect(parseChunk(chunk({ role: "assistant", content: "" }))).toEqual({});
  });

  it("reads the final chunk's vendor fields", () => {
    const update = parseChunk(
      chunk(
        {},
        {
          conversation: { evaluationSessionId: "sess-1", mapping: "continued" },
          images: ["https://x.test/a.png", "javascript:alert(1)"],
          citations: [
            { url: "https://e.org", title: "E" },
            { url: "ftp://bad", title: "B" },
            { url: "https://t.org" },
          ],
        },
        "stop",
      ),
    );
    expect(update).toEqual({
      finishReason: "stop",
      sessionId: "sess-1",
      mapping: "continued",
      images: ["https://x.test/a.png"],
      citations: [
        { url: "https://e.org", title: "E" },
        { url: "https://t.org", title: "https://t.org" },
      ],
    });
  });

  it("ignores a mapping it does not know", () => {
    expect(
      parseChunk(chunk({}, { conversation: { evaluationSessionId: "s", mapping: "teleported" } })),
    ).toEqual({ sessionId: "s" });
  });

  it("reads the usage chunk", () => {
    expect(
      parseChunk({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } }),
    ).toEqual({ usage: { promptTokens: 5, completionTokens: 3, totalTokens: 8 } });
  });

  it("reads a mid-stream error", () => {
    expect(
      parseChunk({ error: { message: "boom", type: "upstream_error", param: null, code: null } }),
    ).toEqual({ error: { message: "boom", type: "upstream_error", code: null, param: null } });
  });
});

describe("parseCompletion", () => {
  it("reads a whole response", () => {
    expect(
      parseCompletion({
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: "Hello!", reasoning_content: "r" },
            finish_reason: "stop",
          },
        ],
        conversation: { evaluationSessionId: "s", mapping: "replayed" },
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      }),
    ).toEqual({
      content: "Hello!",
      reasoning: "r",
      finishReason: "stop",
      sessionId: "s",
      mapping: "replayed",
      usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    });
  });
});

describe("parseErrorBody", () => {
  it("understands the envelope, plain strings and FastAPI's detail", () => {
    expect(parseErrorBody({ error: { message: "m", type: "t", code: "c", param: "p" } })).toEqual({
      message: "m",
      type: "t",
      code: "c",
      param: "p",
    });
    expect(parseErrorBody({ error: "m" })?.message).toBe("m");
    expect(parseErrorBody({ detail: "Not Found" })?.message).toBe("Not Found");
    expect(parseErrorBody({ ok: true })).toBeUndefined();
  });
});
