import { afterEach, describe, expect, it, vi } from "vitest";
import { bytesOf, chunk, cut, sseBody, streamOf } from "../test/sse";
import { ApiError, completeOnce, fetchImageContent, listModels, streamCompletion } from "./client";
import type { ChatRequest, ReplyUpdate } from "./types";

const request: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }], stream: true };

function mockFetch(response: Response): ReturnType<typeof vi.fn> {
  const fn = vi.fn(async () => response);
  vi.stubGlobal("fetch", fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe("streamCompletion", () => {
  it("delivers every chunk in order, across arbitrary byte boundaries", async () => {
    const body = sseBody([
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning_content: "think" }),
      chunk({ content: "Grüße " }),
      chunk({ content: "🙂" }),
      chunk({}, { conversation: { evaluationSessionId: "s1" } }, "stop"),
      { id: "x", choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
    ]);
    mockFetch(new Response(streamOf(cut(bytesOf(body), [5, 17, 2, 33, 1, 60, 7])), { status: 200 }));
    const updates: ReplyUpdate[] = [];
    await streamCompletion(request, { apiKey: "" }, (u) => updates.push(u));
    expect(updates.map((u) => u.content ?? u.reasoning ?? u.sessionId ?? u.usage?.totalTokens)).toEqual([
      undefined,
      "think",
      "Grüße ",
      "🙂",
      "s1",
      3,
    ]);
  });

  it("sends the API key as a bearer token and the body as JSON", async () => {
    const fn = mockFetch(new Response(sseBody([]), { status: 200 }));
    await streamCompletion(request, { apiKey: " k1 " }, () => undefined);
    const [url, init] = fn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/v1/chat/completions");
    const headers = new Headers(init.headers);
    expect(headers.get("Authorization")).toBe("Bearer k1");
    expect(JSON.parse(String(init.body))).toMatchObject({ model: "m", stream: true });
  });

  it("keeps updates before a mid-stream error, then throws it", async () => {
    const body = sseBody([
      chunk({ content: "partial" }),
      { error: { message: "upstream broke", type: "upstream_error", param: null, code: null } },
    ]);
    mockFetch(new Response(body, { status: 200 }));
    const updates: ReplyUpdate[] = [];
    const result = streamCompletion(request, { apiKey: "" }, (u) => updates.push(u));
    await expect(result).rejects.toMatchObject({
      name: "ApiError",
      message: "upstream broke",
      type: "upstream_error",
    });
    expect(updates).toEqual([{ content: "partial" }]);
  });

  it("turns an HTTP 401 into an auth error", async () => {
    mockFetch(
      new Response(
        JSON.stringify({
          error: {
            message: "Invalid API key",
            type: "invalid_request_error",
            param: null,
            code: "invalid_api_key",
          },
        }),
        { status: 401 },
      ),
    );
    const error = await streamCompletion(request, { apiKey: "" }, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).isAuth).toBe(true);
    expect((error as ApiError).status).toBe(401);
  });

  it("reads Retry-After and non-JSON error bodies", async () => {
    mockFetch(new Response("Bad gateway", { status: 502, headers: { "Retry-After": "7" } }));
    const error = (await streamCompletion(request, { apiKey: "" }, () => undefined).catch(
      (e: unknown) => e,
    )) as ApiError;
    expect(error.message).toBe("Bad gateway");
    expect(error.retryAfter).toBe(7);
  });

  it("rejects with the abort when the signal fires mid-stream, after the updates so far", async () => {
    const controller = new AbortController();
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_u: string, init: RequestInit) => {
        // Like a real fetch: aborting errors the body stream.
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(bytesOf(`data: ${JSON.stringify(chunk({ content: "a" }))}\n\n`));
            init.signal?.addEventListener("abort", () => c.error(new DOMException("Aborted", "AbortError")));
          },
        });
        return new Response(body, { status: 200 });
      }),
    );
    const updates: ReplyUpdate[] = [];
    const done = streamCompletion(request, { apiKey: "", signal: controller.signal }, (u) => {
      updates.push(u);
      controller.abort();
    });
    await expect(done).rejects.toMatchObject({ name: "AbortError" });
    expect(updates).toEqual([{ content: "a" }]);
  });
});

describe("completeOnce and listModels", () => {
  it("posts stream:false and reads the whole reply", async () => {
    const fn = mockFetch(
      new Response(
        JSON.stringify({
          choices: [{ message: { content: "Hello" }, finish_reason: "stop" }],
          conversation: { evaluationSessionId: "s" },
        }),
        { status: 200 },
      ),
    );
    expect(await completeOnce(request, { apiKey: "" })).toMatchObject({ content: "Hello", sessionId: "s" });
    const init = fn.mock.calls[0]?.[1] as unknown as RequestInit;
    expect(JSON.parse(String(init.body))).toEqual({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      stream: false,
    });
  });

  it("lists models", async () => {
    mockFetch(new Response(JSON.stringify({ data: [{ id: "a", owned_by: "o" }] }), { status: 200 }));
    expect((await listModels({ apiKey: "" })).map((m) => m.id)).toEqual(["a"]);
  });
});

describe("fetchImageContent", () => {
  it("asks the server for the image's bytes, with the key", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const fn = mockFetch(new Response(png, { status: 200, headers: { "Content-Type": "image/png" } }));
    const blob = await fetchImageContent("https://img.example/a.png?sig=1", { apiKey: "k" });
    expect(blob.type).toBe("image/png");
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(png);
    const [target, init] = fn.mock.calls[0] as unknown as [string, RequestInit];
    expect(target).toBe("/v1/images/content");
    expect(init.method).toBe("POST");
    expect(JSON.parse(String(init.body))).toEqual({ url: "https://img.example/a.png?sig=1" });
    expect(new Headers(init.headers).get("Authorization")).toBe("Bearer k");
  });

  it("rejects with the server's error", async () => {
    const body = {
      error: { message: "the image expired", type: "upstream_error", code: "image_fetch_failed" },
    };
    mockFetch(new Response(JSON.stringify(body), { status: 502 }));
    const error = await fetchImageContent("https://img.example/a.png", { apiKey: "" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 502, code: "image_fetch_failed", message: "the image expired" });
  });
});
