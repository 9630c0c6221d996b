import { describe, expect, it } from "vitest";
import { chatsToPrune, clampMaxChats } from "./prune";

const chat = (id: string, updatedAt: number) => ({ id, updatedAt });

describe("chatsToPrune", () => {
  it("deletes the least recently used chats beyond the limit", () => {
    const chats = [chat("a", 1), chat("b", 5), chat("c", 3), chat("d", 4)];
    expect(chatsToPrune(chats, 2)).toEqual(["c", "a"]);
  });

  it("deletes nothing under the limit", () => {
    expect(chatsToPrune([chat("a", 1)], 50)).toEqual([]);
  });

  it("never deletes kept chats, which count toward the limit", () => {
    const chats = [chat("old-open", 1), chat("b", 5), chat("c", 3)];
    expect(chatsToPrune(chats, 2, new Set(["old-open"]))).toEqual(["c"]);
  });

  it("keeps every kept chat even above the limit", () => {
    const chats = [chat("a", 1), chat("b", 2), chat("c", 3)];
    expect(chatsToPrune(chats, 1, new Set(["a", "b"]))).toEqual(["c"]);
  });

  it("breaks ties on time by id, so the result is stable", () => {
    expect(chatsToPrune([chat("y", 1), chat("x", 1), chat("z", 1)], 1)).toEqual(["y", "z"]);
  });
});

describe("clampMaxChats", () => {
  it("keeps the limit between 1 and 1000", () => {
    expect(clampMaxChats(0)).toBe(1);
    expect(clampMaxChats(5000)).toBe(1000);
    expect(clampMaxChats(7.6)).toBe(8);
    expect(clampMaxChats(Number.NaN)).toBe(50);
  });
});
