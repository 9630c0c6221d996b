import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Repo } from "../db/repo";
import { newChat, openChat, patchMessage, threadMessages, updateChat, useChats } from "../stores/chats";
import { updateSettings } from "../stores/settings";
import { bytesOf, chunk, sseBody } from "../test/sse";
import { freshStores } from "../test/stores";
import { editAndResend, regenerateReply, sendPrompt, stopReply } from "./generation";

let repo: Repo;
let bodies: Record<string, unknown>[];

type Handler = (body: Record<string, unknown>, signal: AbortSignal | undefined) => Response;

function serve(handler: Handler): void {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as Record<string, unknown>;
      bodies.push(body);
      return handler(body, init.signal ?? undefined);
    }),
  );
}

function reply(text: string, session: string, mapping = "new"): Response {
  const conversation = { evaluationSessionId: session, mapping };
  return new Response(
    sseBody([
      chunk({ role: "assistant", content: "" }),
      ...text.split(" ").map((w, i) => chunk({ content: i ? ` ${w}` : w }, i ? {} : { conversation })),
      chunk({}, { conversation }, "stop"),
    ]),
    { status: 200 },
  );
}

function apiError(status: number, code: string): Response {
  return new Response(
    JSON.stringify({ error: { message: code, type: "invalid_request_error", param: null, code } }),
    { status },
  );
}

/** The messages of a request body as "role: text". */
function sent(body: Record<string, unknown> | undefined): string[] {
  return (body?.messages as { role: string; content: unknown }[]).map(
    (m) => `${m.role}: ${typeof m.content === "string" ? m.content : JSON.stringify(m.content)}`,
  );
}

/** Sends one chunk, then waits for the abort (as a slow server would). */
function endless(signal: AbortSignal | undefined, first: string): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytesOf(`data: ${JSON.stringify(chunk({ content: first }))}\n\n`));
        signal?.addEventListener("abort", () => c.error(new DOMException("Aborted", "AbortError")));
      },
    }),
    { status: 200 },
  );
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
  it("streams a reply, saves the session id, and sends the whole conversation every time", async () => {
    serve(() => reply(`Turn ${bodies.length} ok`, "sess-1", bodies.length === 1 ? "new" : "continued"));
    const id = await newChat("gemini-3-pro");
    await sendPrompt(id, "first question", []);
    const [user, assistant] = threadMessages(id);
    expect(user).toMatchObject({ role: "user", content: "first question" });
    expect(assistant).toMatchObject({
      role: "assistant",
      content: "Turn 1 ok",
      status: "done",
      model: "gemini-3-pro",
      sessionId: "sess-1",
      mapping: "new",
    });
    expect(useChats.getState().chats[id]).toMatchObject({
      title: "first question",
      evaluationSessionId: "sess-1",
    });
    expect((await repo.loadChats())[0]?.evaluationSessionId).toBe("sess-1");

    await sendPrompt(id, "second", []);
    expect(bodies[0]).toEqual({
      model: "gemini-3-pro",
      messages: [{ role: "user", content: "first question" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    // No vendor session id: the server recognises the history and continues its session.
    expect(bodies[1]).toEqual({
      model: "gemini-3-pro",
      messages: [
        { role: "user", content: "first question" },
        { role: "assistant", content: "Turn 1 ok" },
        { role: "user", content: "second" },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(threadMessages(id).map((m) => m.content)).toEqual([
      "first question",
      "Turn 1 ok",
      "second",
      "Turn 2 ok",
    ]);
    expect(threadMessages(id)[3]).toMatchObject({ sessionId: "sess-1", mapping: "continued" });
  });

  it("sends earlier images again as the same data URIs", async () => {
    serve(() => reply("ok", "s"));
    const id = await newChat("m");
    await sendPrompt(id, "look", ["data:image/png;base64,AA"]);
    await sendPrompt(id, "and now?", []);
    expect(bodies[1]?.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "look" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AA" } },
        ],
      },
      { role: "assistant", content: "ok" },
      { role: "user", content: "and now?" },
    ]);
  });

  it("uses one whole response when streaming is off", async () => {
    await updateSettings({ streaming: false });
    serve(
      () =>
        new Response(
          JSON.stringify({
            choices: [{ message: { content: "Whole", reasoning_content: "why" }, finish_reason: "stop" }],
            conversation: { evaluationSessionId: "s" },
            citations: [{ url: "https://e.org", title: "E" }],
          }),
          { status: 200 },
        ),
    );
    const id = await newChat("m");
    await sendPrompt(id, "q", []);
    expect(bodies[0]?.stream).toBe(false);
    expect(threadMessages(id)[1]).toMatchObject({
      content: "Whole",
      reasoning: "why",
      citations: [{ url: "https://e.org", title: "E" }],
    });
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
      signal?.addEventListener("abort", () => {
        aborted = true;
      });
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

  it("keeps the partial text on a mid-stream error, and retry replaces the failed reply in place", async () => {
    serve(() =>
      bodies.length === 1
        ? new Response(
            sseBody([
              chunk({ content: "half" }),
              { error: { message: "upstream broke", type: "upstream_error", param: null, code: null } },
            ]),
            { status: 200 },
          )
        : reply("fine now", "s2"),
    );
    const id = await newChat("m");
    await sendPrompt(id, "q", []);
    const failed = threadMessages(id)[1];
    expect(failed).toMatchObject({
      content: "half",
      status: "error",
      error: { message: "upstream broke", auth: false },
    });
    await regenerateReply(id, failed?.id ?? "");
    expect(threadMessages(id).map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "q", "done"],
      ["assistant", "fine now", "done"],
    ]);
    expect(threadMessages(id)[1]?.id).toBe(failed?.id);
    expect(threadMessages(id)[1]?.error).toBeUndefined();
    expect(bodies[1]?.messages).toEqual([{ role: "user", content: "q" }]);
  });

  it("after a stop, resumes the stopped reply's session by id; a lost session is replayed instead", async () => {
    serve((body, signal) => {
      if (bodies.length === 1) {
        return new Response(
          new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(
                bytesOf(
                  `data: ${JSON.stringify(chunk({ content: "partial" }, { conversation: { evaluationSessionId: "old-session", mapping: "new" } }))}\n\n`,
                ),
              );
              signal?.addEventListener("abort", () => c.error(new DOMException("Aborted", "AbortError")));
            },
          }),
          { status: 200 },
        );
      }
      if (body.conversation) return apiError(410, "conversation_lost");
      return reply("carried over", "new-session", "replayed");
    });
    const id = await newChat("m");
    const done = sendPrompt(id, "long", []);
    await waitFor(() => threadMessages(id)[1]?.content === "partial");
    stopReply(id);
    await done;
    expect(threadMessages(id)[1]).toMatchObject({ status: "stopped", sessionId: "old-session" });
    await sendPrompt(id, "next", []);
    const history = [
      { role: "user", content: "long" },
      { role: "assistant", content: "partial" },
      { role: "user", content: "next" },
    ];
    expect(bodies[1]).toMatchObject({
      messages: history,
      conversation: { evaluationSessionId: "old-session" },
    });
    expect(bodies[2]?.messages).toEqual(history);
    expect(bodies[2]?.conversation).toBeUndefined();
    expect(threadMessages(id)[3]).toMatchObject({
      content: "carried over",
      status: "done",
      sessionId: "new-session",
      mapping: "replayed",
    });
    expect(useChats.getState().chats[id]?.evaluationSessionId).toBe("new-session");
  });

  it("flags a 401 as needing an API key, and sends the key it has", async () => {
    await updateSettings({ apiKey: "k" });
    let auth: string | null = null;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_u: string, init: RequestInit) => {
        auth = new Headers(init.headers).get("Authorization");
        return new Response(
          JSON.stringify({
            error: {
              message: "Invalid API key",
              type: "invalid_request_error",
              param: null,
              code: "invalid_api_key",
            },
          }),
          { status: 401 },
        );
      }),
    );
    const id = await newChat("m");
    await sendPrompt(id, "q", []);
    expect(auth).toBe("Bearer k");
    expect(threadMessages(id)[1]).toMatchObject({ status: "error", error: { status: 401, auth: true } });
  });
});

describe("regenerate, edit and model switch", () => {
  async function twoTurns(): Promise<string> {
    const id = await newChat("m");
    await sendPrompt(id, "first", []);
    await sendPrompt(id, "second", []);
    return id;
  }

  it("regenerate sends the conversation up to the last prompt and replaces the reply in place", async () => {
    serve(() =>
      bodies.length <= 2 ? reply(`reply ${bodies.length}`, "s1") : reply("take 2", "s1", "regenerated"),
    );
    const id = await twoTurns();
    const last = threadMessages(id)[3];
    expect(await regenerateReply(id, last?.id ?? "")).toBe(true);
    expect(sent(bodies[2])).toEqual(["user: first", "assistant: reply 1", "user: second"]);
    expect(bodies[2]?.conversation).toBeUndefined();
    expect(threadMessages(id).map((m) => m.content)).toEqual(["first", "reply 1", "second", "take 2"]);
    expect(threadMessages(id)[3]).toMatchObject({
      id: last?.id,
      seq: last?.seq,
      status: "done",
      mapping: "regenerated",
    });
    expect((await repo.loadMessages(id)).map((m) => m.content)).toEqual([
      "first",
      "reply 1",
      "second",
      "take 2",
    ]);
    // Only the last reply can be regenerated.
    expect(await regenerateReply(id, threadMessages(id)[1]?.id ?? "")).toBe(false);
    expect(bodies).toHaveLength(3);
  });

  it("edit drops the later messages, sends the history up to the edited message, and stores the new session", async () => {
    serve(() =>
      bodies.length <= 2 ? reply(`reply ${bodies.length}`, "s1") : reply("edited answer", "s2", "replayed"),
    );
    const id = await twoTurns();
    const [u1, a1, u2] = threadMessages(id);
    expect(await editAndResend(id, u2?.id ?? "", "second, better")).toBe(true);
    expect(sent(bodies[2])).toEqual(["user: first", "assistant: reply 1", "user: second, better"]);
    expect(threadMessages(id).map((m) => m.content)).toEqual([
      "first",
      "reply 1",
      "second, better",
      "edited answer",
    ]);
    expect(
      threadMessages(id)
        .slice(0, 3)
        .map((m) => m.id),
    ).toEqual([u1?.id, a1?.id, u2?.id]);
    expect(threadMessages(id)[3]).toMatchObject({ sessionId: "s2", mapping: "replayed" });
    expect(useChats.getState().chats[id]?.evaluationSessionId).toBe("s2");
    expect((await repo.loadMessages(id)).map((m) => m.content)).toEqual([
      "first",
      "reply 1",
      "second, better",
      "edited answer",
    ]);
  });

  it("editing the first message drops everything after it and renames an untitled chat", async () => {
    serve(() => reply(`reply ${bodies.length}`, `s${bodies.length}`));
    const id = await twoTurns();
    await editAndResend(id, threadMessages(id)[0]?.id ?? "", "a new start");
    expect(sent(bodies[2])).toEqual(["user: a new start"]);
    expect(threadMessages(id).map((m) => m.content)).toEqual(["a new start", "reply 3"]);
    expect(useChats.getState().chats[id]?.title).toBe("a new start");
    expect(await repo.loadMessages(id)).toHaveLength(2);
  });

  it("a model switch sends the whole conversation with the new model", async () => {
    serve(() =>
      reply(
        `reply ${bodies.length}`,
        bodies.length <= 2 ? "s1" : "s2",
        bodies.length <= 2 ? "continued" : "replayed",
      ),
    );
    const id = await twoTurns();
    await updateChat(id, { model: "other" });
    await sendPrompt(id, "third", []);
    expect(bodies[2]?.model).toBe("other");
    expect(sent(bodies[2])).toEqual([
      "user: first",
      "assistant: reply 1",
      "user: second",
      "assistant: reply 2",
      "user: third",
    ]);
    expect(bodies[2]?.conversation).toBeUndefined();
    expect(threadMessages(id)[5]).toMatchObject({ model: "other", sessionId: "s2", mapping: "replayed" });
  });

  it("after a stop, only the next new prompt names the stopped reply's session; regenerate and edit do not", async () => {
    serve((_b, signal) =>
      bodies.length === 1
        ? endless(signal, "partial")
        : reply(`reply ${bodies.length}`, "s1", bodies.length === 2 ? "resumed" : "regenerated"),
    );
    const id = await newChat("m");
    const done = sendPrompt(id, "long", []);
    await waitFor(() => threadMessages(id)[1]?.content === "partial");
    stopReply(id);
    await done;
    // The stopped reply got no session id here (none arrived before the stop): nothing to resume.
    expect(threadMessages(id)[1]?.sessionId).toBeUndefined();
    await patchMessage(id, threadMessages(id)[1]?.id ?? "", { sessionId: "s1" });
    await sendPrompt(id, "next", []);
    expect(bodies[1]?.conversation).toEqual({ evaluationSessionId: "s1" });
    await regenerateReply(id, threadMessages(id)[3]?.id ?? "");
    expect(sent(bodies[2])).toEqual(["user: long", "assistant: partial", "user: next"]);
    expect(bodies[2]?.conversation).toBeUndefined();
    await editAndResend(id, threadMessages(id)[2]?.id ?? "", "next, edited");
    expect(sent(bodies[3])).toEqual(["user: long", "assistant: partial", "user: next, edited"]);
    expect(bodies[3]?.conversation).toBeUndefined();
  });

  it("refuses to regenerate or edit while a reply runs", async () => {
    serve(() => reply("x", "s"));
    const id = await twoTurns();
    useChats.setState({ running: { [id]: true } });
    expect(await regenerateReply(id, threadMessages(id)[3]?.id ?? "")).toBe(false);
    expect(await editAndResend(id, threadMessages(id)[0]?.id ?? "", "x")).toBe(false);
    expect(bodies).toHaveLength(2);
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
