/**
 * The body of an arena request. The site keeps an arena chat's history itself, under its
 * evaluationSessionId: only the prompt goes, and a later turn names that session (the server
 * maps no history for arena chats).
 */

import type { ArenaRequest } from "../api/arenaParse";
import type { ArenaSide, ChatArena, Message } from "../types";
import { toWireMessage } from "./request";

/** The model id of a battle (an entry of `/v1/models` whose `capabilities.arena` is "battle"). */
export const BATTLE_MODEL = "battle";

/** Why a prompt cannot be sent in this arena chat yet, or null. */
export function arenaNotReady(arena: ChatArena): string | null {
  if (arena.mode === "battle") return null;
  if (!arena.modelA || !arena.modelB) return "Choose model A and model B first";
  if (arena.modelA === arena.modelB) return "Choose two different models";
  return null;
}

export function buildArenaRequest(
  arena: ChatArena,
  prompt: Message,
  streaming: boolean,
  sessionId: string | null = null,
  regenerate?: ArenaSide,
): ArenaRequest {
  const battle = arena.mode === "battle";
  const request: ArenaRequest = {
    model: battle ? BATTLE_MODEL : (arena.modelA ?? ""),
    arena: battle ? { mode: "battle" } : { mode: "side-by-side", model_b: arena.modelB ?? "" },
    messages: [toWireMessage(prompt)],
    stream: streaming,
  };
  if (streaming) request.stream_options = { include_usage: true };
  if (sessionId) request.conversation = { evaluationSessionId: sessionId };
  if (regenerate) request.arena.regenerate = regenerate;
  return request;
}
