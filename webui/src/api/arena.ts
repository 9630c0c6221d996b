/** The arena's HTTP calls: a two-model reply (streamed or whole) and the vote. */

import type { ArenaWinner } from "../types";
import {
  parseArenaChunk,
  parseArenaCompletion,
  parseVoteResult,
  type ArenaRequest,
  type ArenaUpdate,
  type VoteResult,
} from "./arenaParse";
import {
  ApiError,
  completeParsed,
  emptyBody,
  errorFromResponse,
  headers,
  streamParsed,
  type RequestOptions,
} from "./client";

/**
 * Streams both replies, calling `onUpdate` for every chunk. Resolves at `data: [DONE]`; rejects
 * with `ApiError` on an HTTP error or an error event in the stream (updates delivered stand), and
 * with the abort reason when `signal` fires.
 */
export async function streamArena(
  request: ArenaRequest,
  options: RequestOptions,
  onUpdate: (update: ArenaUpdate) => void,
): Promise<void> {
  return streamParsed(request, options, parseArenaChunk, onUpdate);
}

/** One request, both whole replies. */
export async function completeArena(request: ArenaRequest, options: RequestOptions): Promise<ArenaUpdate> {
  return completeParsed(request, options, parseArenaCompletion);
}

/** `POST /v1/arena/votes`: judges the chat's latest turn; the answer names both models. */
export async function postVote(
  sessionId: string,
  winner: ArenaWinner,
  options: RequestOptions,
): Promise<VoteResult> {
  const response = await fetch(`${options.baseUrl ?? ""}/v1/arena/votes`, {
    method: "POST",
    headers: headers(options.apiKey, true),
    body: JSON.stringify({ evaluationSessionId: sessionId, winner }),
    signal: options.signal,
  });
  if (!response.ok) throw await errorFromResponse(response);
  const result = parseVoteResult(await response.json().catch(() => null));
  if (!result)
    throw new ApiError(emptyBody("The server's answer to the vote was not understood."), response.status);
  return result;
}
