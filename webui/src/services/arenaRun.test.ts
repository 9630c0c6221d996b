import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { arenaTurns, defaultPair, readChatArena, regenerableReply, verdictText } from "../lib/arena";
import { buildExport, validateImport } from "../lib/exportImport";
import { newChat, threadMessages, useChats } from "../stores/chats";
import { DEFAULT_SETTINGS } from "../types";
import { bytesOf, sseBody } from "../test/sse";
import { freshStores } from "../test/stores";
import { startArenaChat, voteArena, voteErrorText } from "./arenaChats";
import { regenerateArenaSide, sendArenaPrompt } from "./arenaRun";
import { stopReply } from "./generation";
import type { Repo } from "../db/repo";

let repo: Repo;
let bodies: Record<string, unknown>[];

function serve(
  handler: (url: string, body: Record<string, unknown>, signal?: AbortSignal) => Response,
): void {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as Record<string, unknown>;
      bodies.push(body);
      return handler(url, body, init.signal ?? undefined);
    }),
  );
}

function arenaReply(words: { a: string; b: string }, session: string, names: [string | null, string | null]) {
  const conversation = { evaluationSessionId: session, mapping: "new", mode: "side-by-side" };
  const choice = (index: number, delta: Record<string, unknown>, finish: string | null = null) => ({
    index,
    delta,
    finish_reason: finish,
    model: names[index] ?? null,
  });
  return new Response(
    sseBody([
      {
        choices: [
          choice(0, { role: "assistant", content: "" }),
          choice(1, { role: "assistant", content: "" }),
        ],
      },
      { choices: [choice(0, { content: words.a })], conversation },
      { choices: [choice(1, { content: words.b })], conversation },
      { choices: [choice(0, {}, "stop"), choice(1, {}, "stop")], conversation },
    ]),
    { status: 200 },
  );
}

beforeEach(async () => {
  repo = await freshStores();
  bodies = [];
});
afterEach(() => vi.unstubAllGlobals());

describe("arena turns", () => {
  it("streams both replies into their columns and continues with the session id", async () => {
    serve(() => arenaReply({ a: `A${bodies.length}`, b: `B${bodies.length}` }, "sess-1", ["m-a", "m-b"]));
    const id = await startArenaChat("side-by-side");
    useChats.setState((s) => ({
      chats: {
        ...s.chats,
        [id]: { ...s.chats[id]!, arena: { mode: "side-by-side", modelA: "m-a", modelB: "m-b" } },
      },
    }));
    expect(await sendArenaPrompt(id, "first")).toBe(true);
    const [user, a, b] = threadMessages(id);
    expect(user).toMatchObject({ role: "user", content: "first" });
    expect(a).toMatchObject({ side: "a", content: "A1", status: "done", model: "m-a", sessionId: "sess-1" });
    expect(b).toMatchObject({ side: "b", content: "B1", status: "done", model: "m-b" });
    expect(useChats.getState().chats[id]).toMatchObject({
      title: "first",
      evaluationSessionId: "sess-1",
      model: null,
    });

    await sendArenaPrompt(id, "second");
    expect(bodies[0]).toEqual({
      model: "m-a",
      arena: { mode: "side-by-side", model_b: "m-b" },
      messages: [{ role: "user", content: "first" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    // Only the new prompt goes, with the session: the site keeps the arena chat's history.
    expect(bodies[1]).toMatchObject({
      messages: [{ role: "user", content: "second" }],
      conversation: { evaluationSessionId: "sess-1" },
    });
    expect(arenaTurns(threadMessages(id)).length).toBe(2);
    // Stored like any chat, with its arena record and the replies' sides.
    const stored = (await repo.loadChats()).find((c) => c.id === id);
    expect(stored?.arena?.mode).toBe("side-by-side");
    expect((await repo.loadMessages(id)).map((m) => m.side ?? m.role)).toEqual([
      "user",
      "a",
      "b",
      "user",
      "a",
      "b",
    ]);
  });

  it("refuses a compare chat without two different models", async () => {
    const id = await startArenaChat("side-by-side");
    useChats.setState((s) => ({
      chats: {
        ...s.chats,
        [id]: { ...s.chats[id]!, arena: { mode: "side-by-side", modelA: "x", modelB: "x" } },
      },
    }));
    expect(await sendArenaPrompt(id, "hi")).toBe(false);
    expect(threadMessages(id)).toEqual([]);
  });

  it("marks both replies failed on an HTTP error, and a side with no text on its own", async () => {
    serve(() => new Response(JSON.stringify({ error: { message: "busy" } }), { status: 503 }));
    const id = await startArenaChat("battle");
    await sendArenaPrompt(id, "hi");
    const [, a, b] = threadMessages(id);
    expect(a?.status).toBe("error");
    expect(b?.error?.message).toMatch(/busy or still starting/);

    serve(() => arenaReply({ a: "only A", b: "" }, "s2", [null, null]));
    await sendArenaPrompt(id, "again");
    const [, , , , a2, b2] = threadMessages(id);
    expect(a2).toMatchObject({ status: "done", content: "only A" });
    expect(b2).toMatchObject({ status: "error", error: { message: "This model sent no answer." } });
  });

  it("stops both replies, keeping what arrived", async () => {
    serve((_url, _body, signal) => {
      const first = {
        choices: [{ index: 0, delta: { content: "partial" }, finish_reason: null, model: null }],
      };
      return new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(bytesOf(`data: ${JSON.stringify(first)}\n\n`));
            signal?.addEventListener("abort", () => c.error(new DOMException("Aborted", "AbortError")));
          },
        }),
        { status: 200 },
      );
    });
    const id = await startArenaChat("battle");
    const sending = sendArenaPrompt(id, "long one");
    for (let i = 0; i < 200 && !threadMessages(id)[1]?.content; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(stopReply(id)).toBe(true);
    await sending;
    const [, a, b] = threadMessages(id);
    expect(a).toMatchObject({ status: "stopped", content: "partial" });
    expect(b?.status).toBe("stopped");
    expect(useChats.getState().running[id]).toBeUndefined();
  });
});

/** The answer to a regenerate of one side: that side's choice alone. */
function sideReply(index: number, words: string, session: string) {
  const conversation = { evaluationSessionId: session, mapping: "regenerated", mode: "side-by-side" };
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    index,
    delta,
    finish_reason: finish,
    model: null,
  });
  return new Response(
    sseBody([
      { choices: [choice({ role: "assistant", content: "" })] },
      { choices: [choice({ content: words })], conversation },
      { choices: [choice({}, "stop")], conversation },
    ]),
    { status: 200 },
  );
}

describe("regenerating one side", () => {
  it("asks that side anew for the latest turn and replaces its reply, the other stays", async () => {
    serve((_url, body) =>
      (body.arena as { regenerate?: string }).regenerate
        ? sideReply(1, "B again", "sess-r")
        : arenaReply({ a: "A1", b: "B1" }, "sess-r", [null, null]),
    );
    const id = await startArenaChat("battle");
    expect(await regenerateArenaSide(id, "b")).toBe(false); // nothing to regenerate yet
    await sendArenaPrompt(id, "first");
    expect(await regenerateArenaSide(id, "b")).toBe(true);
    expect(bodies[1]).toEqual({
      model: "battle",
      arena: { mode: "battle", regenerate: "b" },
      messages: [{ role: "user", content: "first" }],
      stream: true,
      stream_options: { include_usage: true },
      conversation: { evaluationSessionId: "sess-r" },
    });
    const [user, a, b] = threadMessages(id);
    expect(user?.content).toBe("first");
    expect(a).toMatchObject({ side: "a", content: "A1", status: "done" });
    expect(b).toMatchObject({ side: "b", content: "B again", status: "done" });
    expect(threadMessages(id)).toHaveLength(3);
    expect((await repo.loadMessages(id)).find((m) => m.id === b?.id)?.content).toBe("B again");
  });

  it("is refused after the vote and while the other side failed", async () => {
    serve((url, body) =>
      url.endsWith("/v1/arena/votes")
        ? new Response(JSON.stringify({ ...body, models: { a: "x", b: "y" } }), { status: 200 })
        : arenaReply({ a: "A1", b: "B1" }, "sess-v", [null, null]),
    );
    const id = await startArenaChat("battle");
    await sendArenaPrompt(id, "first");
    await voteArena(id, "a");
    const sent = bodies.length;
    expect(await regenerateArenaSide(id, "a")).toBe(false);
    expect(bodies.length).toBe(sent);
  });
});

describe("votes", () => {
  it("reveals a battle's models on the chat and its replies", async () => {
    serve((url, body) => {
      if (url.endsWith("/v1/arena/votes")) {
        return new Response(JSON.stringify({ ...body, models: { a: "gpt-5.2", b: "claude" } }), {
          status: 200,
        });
      }
      return arenaReply({ a: "one", b: "two" }, "sess-b", [null, null]);
    });
    const id = await startArenaChat("battle");
    await sendArenaPrompt(id, "who are you?");
    expect(threadMessages(id)[1]?.model).toBeUndefined();
    await voteArena(id, "b");
    expect(bodies[1]).toEqual({ evaluationSessionId: "sess-b", winner: "b" });
    const arena = useChats.getState().chats[id]?.arena;
    expect(arena).toMatchObject({
      mode: "battle",
      modelA: "gpt-5.2",
      modelB: "claude",
      vote: { winner: "b" },
    });
    expect(arena?.vote?.promptId).toBe(threadMessages(id)[0]?.id);
    expect(threadMessages(id).map((m) => m.model)).toEqual([undefined, "gpt-5.2", "claude"]);
    expect(verdictText(arena!, "b")).toBe("You voted Model B (claude) better.");
  });

  it("says a refused vote in plain words", async () => {
    serve(
      () => new Response(JSON.stringify({ error: { message: "x", code: "already_voted" } }), { status: 409 }),
    );
    const id = await startArenaChat("battle");
    useChats.setState((s) => ({
      chats: { ...s.chats, [id]: { ...s.chats[id]!, evaluationSessionId: "s" } },
    }));
    const failure = await voteArena(id, "a").catch((e: unknown) => e);
    expect(voteErrorText(failure)).toMatch(/already been voted on/);
    expect(useChats.getState().chats[id]?.arena?.vote).toBeUndefined();
  });
});

describe("arena chats", () => {
  it("an empty chat becomes an arena chat and back, instead of piling up empty chats", async () => {
    const plain = await newChat("m");
    const arena = await startArenaChat("battle");
    expect(arena).toBe(plain);
    expect(useChats.getState().chats[arena]).toMatchObject({ model: null, arena: { mode: "battle" } });
    const again = await newChat("m");
    expect(again).toBe(plain);
    expect(useChats.getState().chats[again]?.arena).toBeUndefined();
    expect(useChats.getState().chats[again]?.model).toBe("m");
  });

  it("survives a backup: the chat's arena record and the replies' sides", async () => {
    serve(() => arenaReply({ a: "one", b: "two" }, "s", [null, null]));
    const id = await startArenaChat("battle");
    await sendArenaPrompt(id, "hi");
    const file = buildExport(DEFAULT_SETTINGS, await repo.loadChats(), await repo.allMessages());
    const result = validateImport(JSON.parse(JSON.stringify(file)));
    if (!result.ok) throw new Error(result.error);
    expect(result.data.chats[0]?.arena).toEqual({ mode: "battle", modelA: null, modelB: null });
    expect(result.data.messages.map((m) => m.side ?? m.role).sort()).toEqual(["a", "b", "user"]);
  });
});

describe("arena helpers", () => {
  it("groups a thread into turns", () => {
    expect(
      arenaTurns([
        { id: "1", role: "user" },
        { id: "2", role: "assistant", side: "a" },
        { id: "3", role: "assistant", side: "b" },
        { id: "4", role: "user" },
        { id: "5", role: "assistant", side: "b" },
      ]),
    ).toEqual([
      { promptId: "1", a: "2", b: "3" },
      { promptId: "4", b: "5" },
    ]);
  });

  it("offers a side anew only on the latest turn, once the other side was answered", () => {
    const m = (id: string, side: "a" | "b" | undefined, status: "done" | "error" | "streaming") => ({
      id,
      role: side ? ("assistant" as const) : ("user" as const),
      ...(side ? { side } : {}),
      status,
    });
    const older = [m("1", undefined, "done"), m("2", "a", "done"), m("3", "b", "done")];
    expect(regenerableReply(older, "b")?.id).toBe("3");
    const failedTurn = [...older, m("4", undefined, "done"), m("5", "a", "error"), m("6", "b", "error")];
    expect(regenerableReply(failedTurn, "b")).toBeUndefined(); // never the turn before
    const oneSideFailed = [...older, m("4", undefined, "done"), m("5", "a", "done"), m("6", "b", "error")];
    expect(regenerableReply(oneSideFailed, "b")?.id).toBe("6");
    expect(regenerableReply(oneSideFailed, "a")).toBeUndefined();
    const streaming = [...older, m("4", undefined, "done"), m("5", "a", "done"), m("6", "b", "streaming")];
    expect(regenerableReply(streaming, "b")).toBeUndefined();
  });

  it("picks two different text models, the last used first", () => {
    const model = (id: string, textOutput = true, arena?: string) => ({
      id,
      ownedBy: "",
      displayName: id,
      capabilities: {
        textOutput,
        vision: false,
        imageOutput: !textOutput,
        multipleImages: false,
        ...(arena ? { arena } : {}),
      },
    });
    const models = [model("img", false), model("x"), model("y"), model("battle", true, "battle")];
    expect(defaultPair(models, "y")).toEqual({ modelA: "y", modelB: "x" });
    expect(defaultPair(models, null)).toEqual({ modelA: "x", modelB: "y" });
    expect(defaultPair([], null)).toEqual({ modelA: null, modelB: null });
  });

  it("reads an arena record from a backup", () => {
    expect(
      readChatArena({ mode: "battle", modelA: "x", vote: { winner: "tie", promptId: "p", at: 5 } }),
    ).toEqual({
      mode: "battle",
      modelA: "x",
      modelB: null,
      vote: { winner: "tie", promptId: "p", at: 5 },
    });
    expect(readChatArena({ mode: "duel" })).toBeUndefined();
  });
});
