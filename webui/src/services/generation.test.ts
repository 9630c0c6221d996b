import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Repo } from "../db/repo";
import { newChat, openChat, threadMessages, useChats } from "../stores/chats";
import { updateSettings } from "../stores/settings";
import { bytesOf, chunk, sseBody } from "../test/sse";
import { freshStores } from "../test/stores";
import { retryReply, sendPrompt, stopReply } from "./generation";

let repo: Repo;
let bodies: Record<string, unknown>[];

type Handler = (body: Record<string, unknown>, signal: AbortSignal | undefined) => Response;

function serve(handler: Handler): void {
  vi.stubGlobal("fetch", vi.fn(async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body)) as Record<string, unknown>;
    bodies.push(body);
    return handler(body, init.signal ?? undefined);
  }));
}

function reply(text: string, session: string): Response {
  return new Response(sseBody([
    chunk({ role: "assistant", content: "" }),
    ...text.split(" ").map((w, i) => chunk({ content: i ? ` ${w}` : w })),
    chunk({}, { conversation: { evaluationSessionId: session } }, "stop"),
  ]), { status: 200 });
}

/** Sends one chunk, then waits for the abort (as a slow server would). */
function endless(signal: AbortSignal | undefined, first: string): Response {
  return new Response(new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytesOf(`data: ${JSON.stringify(chunk({ content: first }))}\n\n`));
      signal?.addEventListener("abort", () => c.error(new DOMException("Aborted", "AbortError")));
    },
  }), { status: 200 });
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

beforeEach(async () => {
  repo = await freshStores();
  bodies = [];
});
afterEach(() => vi.unstubAllGlobals());

describe("sending and continuing", () => {
  it("streams a reply, saves the session id and sends it back with only the new message", async () => {
    serve(() => reply(`Turn ${bodies.length} ok`, "sess-1"));
    const id = await newChat("gemini-3-pro");
    await sendPrompt(id, "first question", []);
    const [user, assistant] = threadMessages(id);
    expect(user).toMatchObject({ role: "user", content: "first question" });
    expect(assistant).toMatchObject({ role: "assistant", content: "Turn 1 ok", status: "done", model: "gemini-3-pro" });
    expect(useChats.getState().chats[id]).toMatchObject({ title: "first question", evaluationSessionId: "sess-1" });
    expect((await repo.loadChats())[0]?.evaluationSessionId).toBe("sess-1");

    await sendPrompt(id, "second", []);
    expect(bodies[1]).toEqual({
      model: "gemini-3-pro",
      messages: [{ role: "user", content: "second" }],
      stream: true,
      stream_options: { include_usage: true },
      conversation: { evaluationSessionId: "sess-1" },
    });
    expect(threadMessages(id).map((m) => m.content)).toEqual(["first question", "Turn 1 ok", "second", "Turn 2 ok"]);
  });

  it("uses one whole response when streaming is off", async () => {
    await updateSettings({ streaming: false });
    serve(() => new Response(JSON.stringify({
      choices: [{ message: { content: "Whole", reasoning_content: "why" }, finish_reason: "stop" }],
      conversation: { evaluationSessionId: "s" },
      citations: [{ url: "https://e.org", title: "E" }],
    }), { status: 200 }));
    const id = await newChat("m");
    await sendPrompt(id, "q", []);
    expect(bodies[0]?.stream).toBe(false);
    expect(threadMessages(id)[1]).toMatchObject({ content: "Whole", reasoning: "why", citations: [{ url: "https://e.org", title: "E" }] });
  });

  it("refuses to send without a model, without text or while a reply runs", async () => {
    serve(() => reply("x", "s"));
    const id = await newChat(null);
    expect(await sendPrompt(id, "hi", [])).toBe(false);
    const id2 = await newChat("m");
    expect(await sendPrompt(id2, "   ", [])).toBe(false);
    expect(bodies).toEqual([]);
  });
});

describe("stop, errors and retry", () => {
  it("keeps the partial text when stopped, and aborts the request", async () => {
    let aborted = false;
    serve((_b, signal) => {
      signal?.addEventListener("abort", () => { aborted = true; });
      return endless(signal, "partial words");
    });
    const id = await newChat("m");
    const done = sendPrompt(id, "long", []);
    await waitFor(() => threadMessages(id)[1]?.content === "partial words");
    stopReply(id);
    await done;
    expect(aborted).toBe(true);
    expect(threadMessages(id)[1]).toMatchObject({ content: "partial words", status: "stopped" });
    expect(useChats.getState().running).toEqual({});
    expect((await repo.loadMessages(id))[1]).toMatchObject({ content: "partial words", status: "stopped" });
  });

  it("keeps the partial text on a mid-stream error, and retry replaces the failed reply", async () => {
    serve(() => (bodies.length === 1
      ? new Response(sseBody([chunk({ content: "half" }), { error: { message: "upstream broke", type: "upstream_error", param: null, code: null } }]), { status: 200 })
      : reply("fine now", "s2")));
    const id = await newChat("m");
    await sendPrompt(id, "q", []);
    const failed = threadMessages(id)[1];
    expect(failed).toMatchObject({ content: "half", status: "error", error: { message: "upstream broke", auth: false } });
    await retryReply(id, failed?.id ?? "");
    expect(threadMessages(id).map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "q", "done"], ["assistant", "fine now", "done"],
    ]);
    expect(bodies[1]?.messages).toEqual([{ role: "user", content: "q" }]);
  });

  it("flags a 401 as needing an API key, and sends the key it has", async () => {
    await updateSettings({ apiKey: "k" });
    let auth: string | null = null;
    vi.stubGlobal("fetch", vi.fn(async (_u: string, init: RequestInit) => {
      auth = new Headers(init.headers).get("Authorization");
      return new Response(JSON.stringify({ error: { message: "Invalid API key", type: "invalid_request_error", param: null, code: "invalid_api_key" } }), { status: 401 });
    }));
    const id = await newChat("m");
    await sendPrompt(id, "q", []);
    expect(auth).toBe("Bearer k");
    expect(threadMessages(id)[1]).toMatchObject({ status: "error", error: { status: 401, auth: true } });
  });
});

describe("a reply belongs to its chat", () => {
  it("goes on in its chat while another chat is open", async () => {
    let release: (() => void) | null = null;
    serve((_b, signal) => {
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(bytesOf(`data: ${JSON.stringify(chunk({ content: "A-part " }))}\n\n`));
          release = () => {
            c.enqueue(bytesOf(`data: ${JSON.stringify(chunk({ content: "A-end" }))}\n\ndata: [DONE]\n\n`));
            c.close();
          };
          signal?.addEventListener("abort", () => c.error(new DOMException("Aborted", "AbortError")));
        },
      });
      return new Response(stream, { status: 200 });
    });
    const a = await newChat("m");
    const done = sendPrompt(a, "in A", []);
    await waitFor(() => threadMessages(a)[1]?.content === "A-part ");
    await newChat("m");
    const b = useChats.getState().activeId ?? "";
    expect(b).not.toBe(a);
    expect(threadMessages(b)).toEqual([]);
    (release as (() => void) | null)?.();
    await done;
    expect(threadMessages(b)).toEqual([]);
    await openChat(a);
    expect(threadMessages(a)[1]).toMatchObject({ content: "A-part A-end", status: "done" });
    expect((await repo.loadMessages(a))[1]?.content).toBe("A-part A-end");
  });
});
