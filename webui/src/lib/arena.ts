/** Pure helpers of arena chats: turns, default models, names and words for the vote. */

import type { ApiModel } from "../api/types";
import type { ArenaMode, ArenaSide, ArenaWinner, ChatArena, Message } from "../types";
import { asString, isRecord } from "./guards";

export const SIDES: readonly ArenaSide[] = ["a", "b"];

/** One prompt and the ids of its two replies (a reply may be missing in a damaged chat). */
export interface ArenaTurn {
  promptId: string;
  a?: string;
  b?: string;
}

/** Groups a thread (in `seq` order) into turns: each prompt with the replies after it. */
export function arenaTurns(messages: readonly Pick<Message, "id" | "role" | "side">[]): ArenaTurn[] {
  const turns: ArenaTurn[] = [];
  for (const m of messages) {
    if (m.role === "user") turns.push({ promptId: m.id });
    else if (m.side) {
      const turn = turns[turns.length - 1];
      if (turn && !turn[m.side]) turn[m.side] = m.id;
    }
  }
  return turns;
}

/**
 * The latest turn's reply of `side` when it may be asked anew: the other side was answered in
 * full (a turn that failed or was stopped marks both sides, so the site has this turn) and this
 * one is not streaming.
 */
export function regenerableReply<M extends Pick<Message, "id" | "role" | "side" | "status">>(
  thread: readonly M[],
  side: ArenaSide,
): M | undefined {
  const turn = arenaTurns(thread).at(-1);
  const find = (id: string | undefined): M | undefined => thread.find((m) => m.id === id);
  const mine = find(turn?.[side]);
  const other = find(turn?.[side === "a" ? "b" : "a"]);
  return other?.status === "done" && mine && mine.status !== "streaming" ? mine : undefined;
}

/** Models worth comparing by default: text models, the user's last model first. */
export function defaultPair(
  models: readonly ApiModel[],
  lastModel: string | null,
): { modelA: string | null; modelB: string | null } {
  const text = models.filter((m) => m.capabilities.textOutput && !m.capabilities.arena);
  const a = text.find((m) => m.id === lastModel) ?? text[0];
  const b = text.find((m) => m.id !== a?.id);
  return { modelA: a?.id ?? null, modelB: b?.id ?? null };
}

export function modeLabel(mode: ArenaMode): string {
  return mode === "battle" ? "Battle" : "Compare";
}

/** "Model A" or, once known, the public name. */
export function sideName(arena: ChatArena, side: ArenaSide): string | null {
  return side === "a" ? arena.modelA : arena.modelB;
}

export function sideLabel(side: ArenaSide): string {
  return side === "a" ? "Model A" : "Model B";
}

export const VOTE_CHOICES: readonly { winner: ArenaWinner; label: string }[] = [
  { winner: "a", label: "A is better" },
  { winner: "b", label: "B is better" },
  { winner: "tie", label: "Tie" },
  { winner: "both_bad", label: "Both are bad" },
];

/** The verdict in words, with the names when they are known. */
export function verdictText(arena: ChatArena, winner: ArenaWinner): string {
  const name = (side: ArenaSide): string => {
    const known = sideName(arena, side);
    return known ? `${sideLabel(side)} (${known})` : sideLabel(side);
  };
  if (winner === "a") return `You voted ${name("a")} better.`;
  if (winner === "b") return `You voted ${name("b")} better.`;
  if (winner === "tie") return "You voted a tie.";
  return "You voted both answers bad.";
}

const WINNERS: readonly ArenaWinner[] = ["a", "b", "tie", "both_bad"];

/** A chat's `arena` from a backup file (undefined when absent or not one). */
export function readChatArena(value: unknown): ChatArena | undefined {
  if (!isRecord(value)) return undefined;
  const mode = value.mode === "battle" || value.mode === "side-by-side" ? value.mode : undefined;
  if (!mode) return undefined;
  const arena: ChatArena = {
    mode,
    modelA: asString(value.modelA) ?? null,
    modelB: asString(value.modelB) ?? null,
  };
  const vote = value.vote;
  if (isRecord(vote)) {
    const winner = WINNERS.find((w) => w === vote.winner);
    const promptId = asString(vote.promptId);
    const at = typeof vote.at === "number" ? vote.at : 0;
    if (winner && promptId) arena.vote = { winner, promptId, at };
  }
  return arena;
}

/** A message's arena side from a backup file. */
export function readSide(value: unknown): ArenaSide | undefined {
  return SIDES.find((s) => s === value);
}
