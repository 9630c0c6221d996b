import { beforeEach, describe, expect, it } from "vitest";
import type { Repo } from "../db/repo";
import { freshStores } from "../test/stores";
import type { Chat } from "../types";
import {
  appendMessage, deleteChats, initChats, newChat, openChat, patchMessage, renameChat, setMaxChats,
  sortedChats, useChats,
} from "./chats";
import { loadSettings, updateSettings, useSettings } from "./settings";

let repo: Repo;
beforeEach(async () => {
  repo = await freshStores();
});

const chat = (id: string, updatedAt: number): Chat => ({
  id, title: id, titleIsCustom: false, model: "m", evaluationSessionId: null, createdAt: updatedAt, updatedAt,
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

  it("prunes the least recently used chats when a new one goes over the limit", async () => {
    await updateSettings({ maxChats: 2 });
    for (const c of [chat("old", 1), chat("mid", 2)]) await repo.putChat(c);
    await repo.putMessage({ id: "m", chatId: "mid", seq: 1, role: "user", content: "x", status: "done", createdAt: 2 });
    await initChats();
    const created = await newChat("m");
    expect(sortedChats(useChats.getState().chats).map((c) => c.id)).toEqual([created, "mid"]);
    expect((await repo.loadChats()).map((c) => c.id).sort()).toEqual([created, "mid"].sort());
  });

  it("prunes when the limit is lowered, by last use, keeping the open chat", async () => {
    for (const c of [chat("a", 1), chat("b", 2), chat("c", 3), chat("d", 4)]) await repo.putChat(c);
    await repo.putMessage({ id: "ma", chatId: "a", seq: 1, role: "user", content: "x", status: "done", createdAt: 1 });
    await initChats();
    await openChat("a");
    const pruned = await setMaxChats(2);
    expect(pruned.sort()).toEqual(["b", "c"]);
    expect(Object.keys(useChats.getState().chats).sort()).toEqual(["a", "d"]);
    expect(useSettings.getState().maxChats).toBe(2);
    await loadSettings();
    expect(useSettings.getState().maxChats).toBe(2);
  });

  it("applies the limit at start-up too", async () => {
    await updateSettings({ maxChats: 1 });
    for (const c of [chat("a", 1), chat("b", 2)]) await repo.putChat(c);
    await initChats();
    expect(Object.keys(useChats.getState().chats)).toEqual(["b"]);
    expect(useChats.getState().activeId).toBe("b");
  });

  it("marks replies left streaming by a reload as stopped", async () => {
    await repo.putChat(chat("a", 1));
    await repo.putMessage({ id: "r", chatId: "a", seq: 1, role: "assistant", content: "half", status: "streaming", createdAt: 1 });
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
    await repo.putMessage({ id: "1", chatId: "a", seq: 1, role: "user", content: "Tell me about Zürich trams", status: "done", createdAt: 1 });
    await repo.putMessage({ id: "2", chatId: "b", seq: 1, role: "user", content: "nothing", status: "done", createdAt: 1 });
    expect(await repo.searchMessages("zÜRICH")).toEqual([{ chatId: "a", snippet: "Tell me about Zürich trams" }]);
    expect(await repo.searchMessages("  ")).toEqual([]);
  });
});
