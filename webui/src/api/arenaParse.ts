/**
 * The arena's two-choice answers (docs/API.md, "Arena"): choice index 0 is model A, 1 is model B.
 * A streamed chunk carries one choice per delta (the first and the last chunk carry both); each
 * choice names its model (`null` in a battle until the vote). JSON of unknown shape goes in,
 * typed updates come out.
 */

import { asString, isRecord } from "../lib/guards";
import type { ArenaMode, ArenaSide, ArenaWinner } from "../types";
import { conversationFields, parseCitations, parseErrorBody, parseImages, parseUsage } from "./parse";
import type { ApiErrorBody, ChatRequest, Mapping, ReplyUpdate, Usage } from "./types";

/** `POST /v1/chat/completions` with the vendor `arena` object. */
export interface ArenaRequest extends ChatRequest {
  /** `regenerate` asks that side anew for the latest turn (the request names the session). */
  arena: { mode: ArenaMode; model_b?: string; regenerate?: ArenaSide };
}

/** What one side's choice contributes; `model` only when the server named it. */
export interface SideUpdate extends ReplyUpdate {
  model?: string;
}

/** One chunk (or one whole response) of an arena reply. */
export interface ArenaUpdate {
  a?: SideUpdate;
  b?: SideUpdate;
  sessionId?: string;
  mapping?: Mapping;
  mode?: ArenaMode;
  usage?: Usage;
  error?: ApiErrorBody;
}

export interface VoteResult {
  sessionId: string;
  winner: ArenaWinner;
  /** Both public names, as the vote revealed them. */
  models: { a: string; b: string };
}

const SIDES: readonly ArenaSide[] = ["a", "b"];
const WINNERS: readonly ArenaWinner[] = ["a", "b", "tie", "both_bad"];

function sideOf(choice: Record<string, unknown>, position: number): ArenaSide | undefined {
  const index = typeof choice.index === "number" ? choice.index : position;
  return SIDES[index];
}

function parseMode(value: unknown): ArenaMode | undefined {
  return value === "side-by-side" || value === "battle" ? value : undefined;
}

/** The fields of one choice's delta (streamed) or message (whole). */
function sideUpdate(
  choice: Record<string, unknown>,
  body: Record<string, unknown>,
  whole: boolean,
): SideUpdate {
  const update: SideUpdate = {};
  const content = asString(body.content);
  if (whole) update.content = content ?? "";
  else if (content) update.content = content;
  const reasoning = asString(body.reasoning_content);
  if (reasoning) update.reasoning = reasoning;
  const finish = asString(choice.finish_reason);
  if (finish) update.finishReason = finish;
  const model = asString(choice.model);
  if (model) update.model = model;
  const images = parseImages(choice.images);
  if (images) update.images = images;
  const citations = parseCitations(choice.citations);
  if (citations) update.citations = citations;
  return update;
}

function parse(json: unknown, whole: boolean): ArenaUpdate {
  const update: ArenaUpdate = {};
  if (!isRecord(json)) return update;
  if ("error" in json) {
    const error = parseErrorBody(json);
    if (error) {
      update.error = error;
      return update;
    }
  }
  const choices = Array.isArray(json.choices) ? json.choices : [];
  choices.forEach((choice: unknown, position) => {
    if (!isRecord(choice)) return;
    const side = sideOf(choice, position);
    const body = whole ? choice.message : choice.delta;
    if (side) update[side] = sideUpdate(choice, isRecord(body) ? body : {}, whole);
  });
  if (isRecord(json.conversation)) {
    conversationFields(json.conversation, update);
    const mode = parseMode(json.conversation.mode);
    if (mode) update.mode = mode;
  }
  const usage = parseUsage(json.usage);
  if (usage) update.usage = usage;
  return update;
}

/** One streamed `chat.completion.chunk` of an arena reply (or a mid-stream `{"error": …}`). */
export function parseArenaChunk(json: unknown): ArenaUpdate {
  return parse(json, false);
}

/** A whole non-streaming arena `chat.completion`: both sides at once. */
export function parseArenaCompletion(json: unknown): ArenaUpdate {
  return parse(json, true);
}

/** The answer of `POST /v1/arena/votes`; undefined when it is not one. */
export function parseVoteResult(json: unknown): VoteResult | undefined {
  if (!isRecord(json) || !isRecord(json.models)) return undefined;
  const winner = WINNERS.find((w) => w === json.winner);
  const a = asString(json.models.a);
  const b = asString(json.models.b);
  if (!winner || !a || !b) return undefined;
  return { sessionId: asString(json.evaluationSessionId) ?? "", winner, models: { a, b } };
}
