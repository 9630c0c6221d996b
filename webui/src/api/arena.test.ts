import { afterEach, describe, expect, it, vi } from "vitest";
import { bytesOf, cut, sseBody, streamOf } from "../test/sse";
import { completeArena, postVote, streamArena } from "./arena";
import {
  parseArenaChunk,
  parseArenaCompletion,
  parseVoteResult,
  type ArenaRequest,
  type ArenaUpdate,
} from "./arenaParse";
import { ApiError } from "./client";

const conversation = { evaluationSessionId: "s-1", mapping: "new", mode: "side-by-side" };

function arenaChunk(choices: unknown[], extra: Record<string, unknown> = {}) {
  return { id: "c", object: "chat.completion.chunk", created: 1, model: "a-model", choices, ...extra };
}

function delta(index: number, fields: Record<string, unknown>, model: string | null = null) {
  return { index, delta: fields, finish_reason: null, model };
}

const request: ArenaRequest = {
  model: "m-a",
  arena: { mode: "side-by-side", model_b: "m-b" },
  messages: [{ role: "user", content: "hi" }],
  stream: true,
};

function mockFetch(response: Response): ReturnType<typeof vi.fn> {
  const fn = vi.fn(async () => response);
  vi.stubGlobal("fetch", fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe("parseArenaChunk", () => {
  it("reads the first chunk's two choices: index 0 is A, 1 is B, each with its model", () => {
    const update = parseArenaChunk(
      arenaChunk([
        delta(0, { role: "assistant", content: "" }, "m-a"),
        delta(1, { role: "assistant", content: "" }, "m-b"),
      ]),
    );
    expect(update).toEqual({ a: { model: "m-a" }, b: { model: "m-b" } });
  });

  it("reads a one-choice delta by its index, with reasoning and the conversation", () => {
    expect(parseArenaChunk(arenaChunk([delta(1, { content: "Hello" })], { conversation }))).toEqual({
      b: { content: "Hello" },
      sessionId: "s-1",
      mapping: "new",
      mode: "side-by-side",
    });
    expect(parseArenaChunk(arenaChunk([delta(0, { reasoning_content: "hm" }, "m-a")]))).toEqual({
      a: { reasoning: "hm", model: "m-a" },
    });
  });

  it("reads the final chunk: both finish reasons, battle names still null", () => {
    const update = parseArenaChunk(
      arenaChunk(
        [
          { index: 0, delta: {}, finish_reason: "stop", model: null },
          { index: 1, delta: {}, finish_reason: "length", model: null },
        ],
        { conversation: { ...conversation, mode: "battle" } },
      ),
    );
    expect(update).toEqual({
      a: { finishReason: "stop" },
      b: { finishReason: "length" },
      sessionId: "s-1",
      mapping: "new",
      mode: "battle",
    });
  });

  it("reads the usage chunk and error frames; ignores what it does not know", () => {
    expect(
      parseArenaChunk(
        arenaChunk([], { usage: { prompt_tokens: 2, completion_tokens: 8, total_tokens: 10 } }),
      ),
    ).toEqual({ usage: { promptTokens: 2, completionTokens: 8, totalTokens: 10 } });
    expect(parseArenaChunk({ error: { message: "boom", code: "upstream_error" } }).error).toMatchObject({
      message: "boom",
      code: "upstream_error",
    });
    expect(parseArenaChunk(arenaChunk([delta(7, { content: "x" }), "junk"]))).toEqual({});
    expect(parseArenaChunk(null)).toEqual({});
  });
});

describe("parseArenaCompletion", () => {
  it("reads both whole replies with their own images and citations", () => {
    const update = parseArenaCompletion({
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "A says", reasoning_content: "why" },
          finish_reason: "stop",
          model: "m-a",
          citations: [{ url: "https://example.com/a", title: "Ex" }],
        },
        {
          index: 1,
          message: { role: "assistant", content: "" },
          finish_reason: "stop",
          model: "m-b",
          images: ["https://example.com/i.png", "javascript:alert(1)"],
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      conversation,
    });
    expect(update.a).toEqual({
      content: "A says",
      reasoning: "why",
      finishReason: "stop",
      model: "m-a",
      citations: [{ url: "https://example.com/a", title: "Ex" }],
    });
    expect(update.b).toEqual({
      content: "",
      finishReason: "stop",
      model: "m-b",
      images: ["https://example.com/i.png"],
    });
    expect(update.sessionId).toBe("s-1");
  });
});

describe("parseVoteResult", () => {
  it("reads the revealed names", () => {
    expect(parseVoteResult({ evaluationSessionId: "s", winner: "tie", models: { a: "x", b: "y" } })).toEqual({
      sessionId: "s",
      winner: "tie",
      models: { a: "x", b: "y" },
    });
    expect(parseVoteResult({ winner: "c", models: { a: "x", b: "y" } })).toBeUndefined();
    expect(parseVoteResult({ winner: "a", models: { a: "x" } })).toBeUndefined();
  });
});

describe("streamArena", () => {
  it("delivers both sides' deltas in order, across arbitrary byte boundaries", async () => {
    const body = sseBody([
      arenaChunk([
        delta(0, { role: "assistant", content: "" }, "m-a"),
        delta(1, { role: "assistant" }, "m-b"),
      ]),
      arenaChunk([delta(0, { content: "Grüße " }, "m-a")], { conversation }),
      arenaChunk([delta(1, { content: "日本" }, "m-b")], { conversation }),
      arenaChunk([delta(0, { content: "🙂" }, "m-a")]),
      arenaChunk(
        [
          { index: 0, delta: {}, finish_reason: "stop", model: "m-a" },
          { index: 1, delta: {}, finish_reason: "stop", model: "m-b" },
        ],
        { conversation },
      ),
    ]);
    const fn = mockFetch(
      new Response(streamOf(cut(bytesOf(body), [3, 40, 1, 2, 90, 7, 13])), { status: 200 }),
    );
    const updates: ArenaUpdate[] = [];
    await streamArena(request, { apiKey: "" }, (u) => updates.push(u));
    const text = (side: "a" | "b") => updates.map((u) => u[side]?.content ?? "").join("");
    expect(text("a")).toBe("Grüße 🙂");
    expect(text("b")).toBe("日本");
    expect(updates.at(-1)).toMatchObject({ a: { finishReason: "stop" }, b: { finishReason: "stop" } });
    const [url, init] = fn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/v1/chat/completions");
    expect(JSON.parse(String(init.body))).toMatchObject({
      model: "m-a",
      arena: { mode: "side-by-side", model_b: "m-b" },
      stream: true,
    });
  });

  it("keeps the deltas before a mid-stream error, then throws it", async () => {
    const body = sseBody([
      arenaChunk([delta(0, { content: "part" })]),
      { error: { message: "The site failed", type: "upstream_error", code: "upstream_error" } },
    ]);
    mockFetch(new Response(body, { status: 200 }));
    const updates: ArenaUpdate[] = [];
    const failure = streamArena(request, { apiKey: "" }, (u) => updates.push(u));
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ code: "upstream_error" });
    expect(updates).toEqual([{ a: { content: "part" } }]);
  });

  it("throws an HTTP error before streaming", async () => {
    mockFetch(
      new Response(JSON.stringify({ error: { message: "arena.model_b: nope", param: "arena.model_b" } }), {
        status: 400,
      }),
    );
    await expect(streamArena(request, { apiKey: "" }, () => undefined)).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe("completeArena", () => {
  it("asks without streaming and returns both replies", async () => {
    const fn = mockFetch(
      new Response(
        JSON.stringify({
          choices: [
            { index: 0, message: { content: "one" }, finish_reason: "stop", model: null },
            { index: 1, message: { content: "two" }, finish_reason: "stop", model: null },
          ],
          conversation,
        }),
        { status: 200 },
      ),
    );
    const update = await completeArena(
      { ...request, stream_options: { include_usage: true } },
      { apiKey: "" },
    );
    expect([update.a?.content, update.b?.content]).toEqual(["one", "two"]);
    const body = JSON.parse(String((fn.mock.calls[0] as unknown as [string, RequestInit])[1].body));
    expect(body.stream).toBe(false);
    expect(body.stream_options).toBeUndefined();
  });
});

describe("postVote", () => {
  it("posts the session and the winner; returns the names", async () => {
    const fn = mockFetch(
      new Response(JSON.stringify({ evaluationSessionId: "s-1", winner: "a", models: { a: "x", b: "y" } }), {
        status: 200,
      }),
    );
    expect(await postVote("s-1", "a", { apiKey: "k" })).toMatchObject({ models: { a: "x", b: "y" } });
    const [url, init] = fn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/v1/arena/votes");
    expect(JSON.parse(String(init.body))).toEqual({ evaluationSessionId: "s-1", winner: "a" });
    expect(new Headers(init.headers).get("Authorization")).toBe("Bearer k");
  });

  it("throws the refusal of a second vote with its code", async () => {
    mockFetch(
      new Response(JSON.stringify({ error: { message: "voted already", code: "already_voted" } }), {
        status: 409,
      }),
    );
    await expect(postVote("s-1", "b", { apiKey: "" })).rejects.toMatchObject({
      status: 409,
      code: "already_voted",
    });
  });
});
