import { describe, expect, it } from "vitest";
import type { Message } from "../types";
import { arenaNotReady, buildArenaRequest } from "./arenaRequest";

function prompt(content: string, images?: string[]): Message {
  return {
    id: "p",
    chatId: "c",
    seq: 4,
    role: "user",
    content,
    status: "done",
    createdAt: 1,
    ...(images ? { images } : {}),
  };
}

describe("buildArenaRequest", () => {
  it("side by side: model A as `model`, model B in the arena object, the prompt alone", () => {
    const arena = { mode: "side-by-side" as const, modelA: "gemini-3-pro", modelB: "deepseek-v3.2" };
    expect(buildArenaRequest(arena, prompt("Hello"), true)).toEqual({
      model: "gemini-3-pro",
      arena: { mode: "side-by-side", model_b: "deepseek-v3.2" },
      messages: [{ role: "user", content: "Hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("battle: the `battle` model and no names, even after the vote revealed them", () => {
    const arena = { mode: "battle" as const, modelA: "x", modelB: "y" };
    expect(buildArenaRequest(arena, prompt("Hi"), false)).toEqual({
      model: "battle",
      arena: { mode: "battle" },
      messages: [{ role: "user", content: "Hi" }],
      stream: false,
    });
  });

  it("a later turn names the chat's session; images go as content parts", () => {
    const arena = { mode: "battle" as const, modelA: null, modelB: null };
    const request = buildArenaRequest(arena, prompt("look", ["data:image/png;base64,AA"]), true, "sess-9");
    expect(request.conversation).toEqual({ evaluationSessionId: "sess-9" });
    expect(request.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "look" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AA" } },
        ],
      },
    ]);
  });
});

describe("arenaNotReady", () => {
  it("wants two different models in a side-by-side chat; a battle is always ready", () => {
    expect(arenaNotReady({ mode: "battle", modelA: null, modelB: null })).toBeNull();
    expect(arenaNotReady({ mode: "side-by-side", modelA: "x", modelB: null })).toMatch(
      /Choose model A and model B/,
    );
    expect(arenaNotReady({ mode: "side-by-side", modelA: "x", modelB: "x" })).toMatch(/two different/);
    expect(arenaNotReady({ mode: "side-by-side", modelA: "x", modelB: "y" })).toBeNull();
  });
});
