import { beforeEach, describe, expect, it } from "vitest";
import { Repo } from "../db/repo";
import { freshStores } from "../test/stores";
import type { Chat } from "../types";
import {
  appendMessage,
  applySync,
  deleteChats,
  describeChats,
  initChats,
  newChat,
  openChat,
  patchMessage,
  pruneChats,
  renameChat,
  setMaxChats,
  sortedChats,
  useChats,
} from "./chats";
import { loadSettings, updateSettings, useSettings } from "./settings";

let repo: Repo;
beforeEach(async () => {
  repo = await freshStores();
});

const chat = (id: string, updatedAt: number): Chat => ({
  id,
  title: id,
  titleIsCustom: false,
  model: "m",
  evaluationSessionId: null,
  createdAt: updatedAt,
  updatedAt,
});

describe("chats store", () => {
  it("creates a chat, persists it and opens it", async () => {
    const id = await newChat("m");
    expect(useChats.getState().activeId).toBe(id);
    expect((await repo.loadChats()).map((c) => c.id)).toEqual([id]);
  });

  it("reuses the open chat while it is empty", async () => {
    const id = await newChat("m");
    expect(await newChat("other")).toBe(id);
    expect(useChats.getState().chats[id]?.model).toBe("other");
  });

  it("keeps the message list's identity when a message's content changes", async () => {
    const id = await newChat("m");
    const msg = await appendMessage({ chatId: id, role: "assistant", content: "", status: "streaming" });
    const idsBefore = useChats.getState().threads[id]?.ids;
    await patchMessage(id, msg.id, { content: "more" }, false);
    const thread = useChats.getState().threads[id];
    expect(thread?.ids).toBe(idsBefore);
    expect(thread?.byId[msg.id]?.content).toBe("more");
    expect((await repo.loadMessages(id))[0]?.content).toBe(""); // not persisted yet
    await patchMessage(id, msg.id, { status: "done" });
    expect((await repo.loadMessages(id))[0]).toMatchObject({ content: "more", status: "done" });
  });

  const say = (chatId: string, at: number): Promise<void> =>
    repo.putMessage({
      id: `m-${chatId}`,
      chatId,
      seq: 1,
      role: "user",
      content: "x",
      status: "done",
      createdAt: at,
    });

  it("empty chats do not count toward the limit", async () => {
    await updateSettings({ maxChats: 2 });
    for (const c of [chat("old", 1), chat("mid", 2)]) await repo.putChat(c);
    await say("mid", 2);
    await initChats();
    const created = await newChat("m");
    expect(Object.keys(useChats.getState().chats).sort()).toEqual([created, "mid", "old"].sort());
    expect(await pruneChats()).toEqual([]);
  });

  it("prunes when a chat gets its first message, naming the chats it deleted", async () => {
    await updateSettings({ maxChats: 2 });
    for (const c of [chat("a", 1), chat("b", 2)]) await repo.putChat(c);
    await say("a", 1);
    await say("b", 2);
    await initChats();
    const created = await newChat("m");
    await appendMessage({ chatId: created, role: "user", content: "hi", status: "done" });
    const gone = await pruneChats();
    expect(gone.map((c) => c.id)).toEqual(["a"]);
    expect(describeChats(gone)).toBe("“a”");
    expect(Object.keys(useChats.getState().chats).sort()).toEqual([created, "b"].sort());
  });

  it("never prunes pinned chats or the open chat", async () => {
    for (const c of [{ ...chat("pinned", 1), pinned: true }, chat("b", 2), chat("c", 3), chat("d", 4)])
      await repo.putChat(c);
    for (const [id, at] of [
      ["pinned", 1],
      ["b", 2],
      ["c", 3],
      ["d", 4],
    ] as const)
      await say(id, at);
    await initChats();
    await openChat("b");
    // Kept chats count toward the limit: pinned + open + the most recent other one.
    const pruned = await setMaxChats(3);
    expect(pruned.map((c) => c.id)).toEqual(["c"]);
    expect(Object.keys(useChats.getState().chats).sort()).toEqual(["b", "d", "pinned"]);
    expect(sortedChats(useChats.getState().chats)[0]?.id).toBe("pinned");
    expect(useSettings.getState().maxChats).toBe(3);
    await loadSettings();
    expect(useSettings.getState().maxChats).toBe(3);
  });

  it("applies the limit at start-up too", async () => {
    await updateSettings({ maxChats: 1 });
    for (const c of [chat("a", 1), chat("b", 2)]) await repo.putChat(c);
    await say("a", 1);
    await say("b", 2);
    await initChats();
    expect(Object.keys(useChats.getState().chats)).toEqual(["b"]);
    expect(useChats.getState().activeId).toBe("b");
  });

  it("describes many deleted chats briefly", () => {
    const list = ["a", "b", "c", "d", "e"].map((id, i) => chat(id, i));
    expect(describeChats(list.slice(0, 2))).toBe("“a” and “b”");
    expect(describeChats(list)).toBe("“a”, “b”, “c” and 2 more");
  });

  it("marks replies left streaming by a reload as stopped", async () => {
    await repo.putChat(chat("a", 1));
    await repo.putMessage({
      id: "r",
      chatId: "a",
      seq: 1,
      role: "assistant",
      content: "half",
      status: "streaming",
      createdAt: 1,
    });
    await initChats();
    expect(useChats.getState().threads.a?.byId.r).toMatchObject({ content: "half", status: "stopped" });
  });

  it("renames (marking the title custom) and deletes with messages", async () => {
    const id = await newChat("m");
    await appendMessage({ chatId: id, role: "user", content: "hello", status: "done" });
    await renameChat(id, "  My   chat ");
    expect(useChats.getState().chats[id]).toMatchObject({ title: "My chat", titleIsCustom: true });
    await deleteChats([id]);
    expect(useChats.getState().chats).toEqual({});
    expect(useChats.getState().activeId).toBeNull();
    expect(await repo.allMessages()).toEqual([]);
  });

  it("drops the messages of chats no longer in view, unless a reply runs there", async () => {
    for (const c of [chat("a", 1), chat("b", 2), chat("c", 3)]) await repo.putChat(c);
    await initChats();
    await openChat("a");
    useChats.setState({ running: { a: true } });
    await openChat("b");
    await openChat("c");
    expect(Object.keys(useChats.getState().threads).sort()).toEqual(["a", "c"]);
  });
});

describe("search", () => {
  it("finds chats by message text, case-insensitively, with a snippet", async () => {
    await repo.putMessage({
      id: "1",
      chatId: "a",
      seq: 1,
      role: "user",
      content: "Tell me about Zürich trams",
      status: "done",
      createdAt: 1,
    });
    await repo.putMessage({
      id: "2",
      chatId: "b",
      seq: 1,
      role: "user",
      content: "nothing",
      status: "done",
      createdAt: 1,
    });
    expect(await repo.searchMessages("zÜRICH")).toEqual([
      { chatId: "a", snippet: "Tell me about Zürich trams" },
    ]);
    expect(await repo.searchMessages("  ")).toEqual([]);
  });

  it("the database numbers messages: two writers of one chat never share a position", async () => {
    const id = await newChat("m");
    const other = await Repo.open(repo.name);
    // Another tab appends while this one does, both from the same (stale) view of the chat.
    const [mine, theirs] = await Promise.all([
      appendMessage({ chatId: id, role: "user", content: "from this tab", status: "done" }),
      other.appendMessage({
        id: "x",
        chatId: id,
        role: "user",
        content: "from the other",
        status: "done",
        createdAt: 1,
      }),
    ]);
    expect(new Set([mine.seq, theirs.seq]).size).toBe(2);
    const third = await appendMessage({ chatId: id, role: "assistant", content: "reply", status: "done" });
    expect(third.seq).toBe(3);
    other.close();
    expect((await repo.loadMessages(id)).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it("applies another tab's messages in order, and its deletions", async () => {
    await initChats();
    const id = await newChat("m");
    const first = await appendMessage({ chatId: id, role: "user", content: "one", status: "done" });
    const base = { chatId: id, role: "assistant" as const, status: "done" as const, createdAt: 5 };
    await applySync({ kind: "message", message: { ...base, id: "late", seq: 3, content: "three" } });
    await applySync({ kind: "message", message: { ...base, id: "early", seq: 2, content: "two" } });
    expect(useChats.getState().threads[id]?.ids).toEqual([first.id, "early", "late"]);
    await applySync({ kind: "messages-deleted", chatId: id, ids: ["late"] });
    expect(useChats.getState().threads[id]?.ids).toEqual([first.id, "early"]);
    await applySync({ kind: "chat", chat: { ...useChats.getState().chats[id]!, title: "Renamed there" } });
    expect(useChats.getState().chats[id]?.title).toBe("Renamed there");
    await applySync({ kind: "chats-deleted", ids: [id] });
    expect(useChats.getState().chats[id]).toBeUndefined();
  });
});
