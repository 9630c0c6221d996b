/** Starting arena chats, choosing their models, and voting (which reveals a battle's models). */

import { postVote } from "../api/arena";
import { ApiError } from "../api/client";
import { defaultPair } from "../lib/arena";
import { toMessageError } from "../lib/errors";
import { newChat, patchMessage, threadMessages, updateChat, useChats } from "../stores/chats";
import { useModels } from "../stores/models";
import { currentSettings } from "../stores/settings";
import type { ArenaMode, ArenaWinner, ChatArena } from "../types";

/** Opens a new compare (side-by-side) or battle chat; returns its id. */
export function startArenaChat(mode: ArenaMode): Promise<string> {
  const arena: ChatArena =
    mode === "battle"
      ? { mode, modelA: null, modelB: null }
      : { mode, ...defaultPair(useModels.getState().models, currentSettings().lastModel) };
  return newChat(null, arena);
}

/** Whether the chat's models can still change: a side-by-side chat before its first prompt. */
export function canChooseModels(chatId: string): boolean {
  const { chats, threads } = useChats.getState();
  const chat = chats[chatId];
  return chat?.arena?.mode === "side-by-side" && (threads[chatId]?.ids.length ?? 0) === 0;
}

export async function chooseArenaModel(chatId: string, side: "a" | "b", model: string): Promise<void> {
  const arena = useChats.getState().chats[chatId]?.arena;
  if (!arena || !canChooseModels(chatId)) return;
  await updateChat(chatId, { arena: { ...arena, [side === "a" ? "modelA" : "modelB"]: model } });
}

/** A refused vote in plain words. */
export function voteErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "already_voted" || error.status === 409)
      return "This chat has already been voted on: LMArena takes one vote per chat.";
    if (error.code === "arena_session_not_found" || error.status === 404)
      return "The server does not know this arena chat (it may have restarted since), so it cannot take a vote.";
  }
  return toMessageError(error).message;
}

/**
 * Votes on the chat's latest turn. The answer names both models: they are kept on the chat (a
 * battle is revealed) and on its replies. Throws the API's refusal (see `voteErrorText`).
 */
export async function voteArena(chatId: string, winner: ArenaWinner): Promise<void> {
  const chat = useChats.getState().chats[chatId];
  const sessionId = chat?.evaluationSessionId;
  if (!chat?.arena || !sessionId) throw new Error("This chat has no arena session to vote on yet.");
  const result = await postVote(sessionId, winner, { apiKey: currentSettings().apiKey });
  const thread = threadMessages(chatId);
  const prompt = [...thread].reverse().find((m) => m.role === "user");
  const arena = useChats.getState().chats[chatId]?.arena ?? chat.arena;
  await updateChat(chatId, {
    arena: {
      ...arena,
      modelA: result.models.a,
      modelB: result.models.b,
      vote: { winner, promptId: prompt?.id ?? "", at: Date.now() },
    },
  });
  for (const m of thread) {
    if (m.role === "assistant" && m.side && !m.model) {
      await patchMessage(chatId, m.id, { model: result.models[m.side] });
    }
  }
}
