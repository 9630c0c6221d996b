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
import { ApiError, errorFromResponse, headers, post, type RequestOptions } from "./client";
import { readSse } from "./sse";

function emptyBody(message = "The server sent an empty response.") {
  return { message, type: null, code: null, param: null };
}

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
  const response = await post({ ...request, stream: true }, options);
  if (!response.body) throw new ApiError(emptyBody(), response.status);
  let failure: ApiError | null = null;
  for await (const item of readSse(response.body)) {
    if (item.kind !== "event") continue;
    if (item.data === "[DONE]") break;
    let json: unknown;
    try {
      json = JSON.parse(item.data);
    } catch {
      continue;
    }
    const update = parseArenaChunk(json);
    if (update.error) {
      failure = new ApiError(update.error, null);
      continue; // `[DONE]` follows
    }
    onUpdate(update);
  }
  if (failure) throw failure;
}

/** One request, both whole replies. */
export async function completeArena(request: ArenaRequest, options: RequestOptions): Promise<ArenaUpdate> {
  const response = await post({ ...request, stream: false, stream_options: undefined }, options);
  const update = parseArenaCompletion(await response.json());
  if (update.error) throw new ApiError(update.error, response.status);
  return update;
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
