/**
 * One arena turn: a prompt and two replies streaming side by side. Like a direct reply
 * (`replyRun.ts`), it belongs to its chat, reaches the store at most once per animation frame,
 * keeps what arrived when stopped or failed, and is stopped by `stopReply` (Esc, Stop).
 */

import { completeArena, streamArena } from "../api/arena";
import type { ArenaUpdate } from "../api/arenaParse";
import { arenaTurns, regenerableReply, SIDES } from "../lib/arena";
import { failedReply } from "../lib/errors";
import { createFrameBatcher } from "../lib/frameBatcher";
import { renderStats } from "../lib/renderStats";
import { titleFromPrompt } from "../lib/title";
import {
  appendMessage,
  patchMessage,
  pruneChats,
  replaceMessage,
  setRunning,
  threadMessages,
  updateChat,
  useChats,
} from "../stores/chats";
import { currentSettings } from "../stores/settings";
import type { ArenaSide, ChatArena, Message, MessageError, MessageStatus } from "../types";
import { arenaNotReady, buildArenaRequest } from "./arenaRequest";
import { keepImages } from "./images";
import { ReplyAccumulator } from "./reply";
import { holdReplyLock } from "./replyLocks";
import { trackRequest } from "./replyRun";

/** How often streaming replies are saved, so a reload keeps most of them. */
const SAVE_EVERY_MS = 2000;

type Sides<T> = Record<ArenaSide, T>;

/**
 * Sends a prompt in an arena chat: both replies are added and streamed. False when the chat is
 * busy, not an arena chat, or its models are not chosen.
 */
export async function sendArenaPrompt(chatId: string, text: string): Promise<boolean> {
  const { chats, running } = useChats.getState();
  const chat = chats[chatId];
  const arena = chat?.arena;
  if (!chat || !arena || running[chatId] || !text.trim() || arenaNotReady(arena)) return false;
  const isFirst = threadMessages(chatId).length === 0;
  setRunning(chatId, true);
  let prompt: Message;
  const ids: Partial<Sides<string>> = {};
  try {
    prompt = await appendMessage({ chatId, role: "user", content: text, status: "done" });
    for (const side of SIDES) {
      const model = side === "a" ? arena.modelA : arena.modelB;
      const reply = await appendMessage({
        chatId,
        role: "assistant",
        side,
        content: "",
        status: "streaming",
        ...(model ? { model } : {}),
      });
      ids[side] = reply.id;
    }
    await updateChat(chatId, {
      updatedAt: Date.now(),
      ...(isFirst && !chat.titleIsCustom ? { title: titleFromPrompt(text) } : {}),
    });
  } catch (error) {
    setRunning(chatId, false);
    throw error;
  }
  // An empty chat does not count toward the limit: this one starts counting now.
  if (isFirst) void pruneChats();
  await runArenaTurn(chatId, arena, prompt, ids, chat.evaluationSessionId);
  return true;
}

/**
 * Asks one side of the latest turn anew (the site's retry): its reply is replaced as it
 * streams, the other side stays. False when that side cannot be (`regenerableReply`), or the
 * chat is busy, has no session or was voted on.
 */
export async function regenerateArenaSide(chatId: string, side: ArenaSide): Promise<boolean> {
  const { chats, running } = useChats.getState();
  const chat = chats[chatId];
  const thread = threadMessages(chatId);
  const prompt = thread.find((m) => m.id === arenaTurns(thread).at(-1)?.promptId);
  const old = regenerableReply(thread, side);
  const arena = chat?.arena;
  const sessionId = chat?.evaluationSessionId;
  if (!arena || !sessionId || running[chatId] || arena.vote || !prompt || !old) return false;
  setRunning(chatId, true);
  try {
    const { id, seq, model } = old;
    const createdAt = Date.now();
    const fresh: Message = {
      id,
      chatId,
      seq,
      role: "assistant",
      side,
      content: "",
      status: "streaming",
      createdAt,
    };
    await replaceMessage(model ? { ...fresh, model } : fresh);
    await updateChat(chatId, { updatedAt: Date.now() });
  } catch (error) {
    setRunning(chatId, false);
    throw error;
  }
  await runArenaTurn(chatId, arena, prompt, { [side]: old.id }, sessionId, side);
  return true;
}

/** A side that ended without anything to show. */
function emptyAnswer(finishReason: string | undefined): MessageError {
  const message =
    finishReason === "content_filter"
      ? "LMArena withheld this answer (content filter)."
      : "This model sent no answer.";
  return { message, status: null, code: null, auth: false };
}

/** The replies of a turn being written: both sides, or the one side regenerated. */
type TurnIds = Partial<Sides<string>>;

async function runArenaTurn(
  chatId: string,
  arena: ChatArena,
  prompt: Message,
  ids: TurnIds,
  sessionId: string | null,
  regenerate?: ArenaSide,
): Promise<void> {
  const sides = SIDES.filter((side) => ids[side]);
  const settings = currentSettings();
  const controller = new AbortController();
  const untrack = trackRequest(chatId, controller);
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  for (const side of sides) holdReplyLock(ids[side] ?? "", done);
  const startedAt = Date.now();
  const acc: Sides<ReplyAccumulator> = { a: new ReplyAccumulator(), b: new ReplyAccumulator() };
  const firstTokenMs: Partial<Sides<number>> = {};
  const models: Partial<Sides<string>> = {};
  let session: string | undefined;
  let lastSave = Date.now();

  const batcher = createFrameBatcher(() => {
    renderStats.flushes++;
    const persist = Date.now() - lastSave > SAVE_EVERY_MS;
    if (persist) lastSave = Date.now();
    for (const side of sides) {
      const { content, reasoning } = acc[side];
      void patchMessage(chatId, ids[side] ?? "", { content, reasoning }, persist);
    }
  });
  const onUpdate = (update: ArenaUpdate): void => {
    renderStats.deltas++;
    for (const side of sides) {
      const part = update[side];
      if (!part) continue;
      acc[side].apply(part);
      if (part.model) models[side] = part.model;
      if (firstTokenMs[side] === undefined && !acc[side].empty) firstTokenMs[side] = Date.now() - startedAt;
      if (part.content || part.reasoning) batcher.request();
    }
    if (update.sessionId && update.sessionId !== session) {
      session = update.sessionId;
      void updateChat(chatId, { evaluationSessionId: session });
    }
  };

  let status: MessageStatus = "done";
  let error: MessageError | undefined;
  try {
    const request = buildArenaRequest(arena, prompt, settings.streaming, sessionId, regenerate);
    const options = { apiKey: settings.apiKey, signal: controller.signal };
    if (request.stream) await streamArena(request, options, onUpdate);
    else onUpdate(await completeArena(request, options));
  } catch (failure) {
    ({ status, error } = failedReply(failure, controller.signal));
  } finally {
    batcher.cancel();
    untrack();
  }
  try {
    const durationMs = Date.now() - startedAt;
    for (const side of sides) {
      const a = acc[side];
      const sideError = status === "done" && a.empty ? emptyAnswer(a.finishReason) : error;
      const model = models[side];
      const first = firstTokenMs[side];
      await patchMessage(chatId, ids[side] ?? "", {
        content: a.content,
        status: sideError ? "error" : status,
        ...(a.reasoning ? { reasoning: a.reasoning } : {}),
        ...(a.images.length ? { images: a.images } : {}),
        ...(a.citations.length ? { citations: a.citations } : {}),
        ...(session ? { sessionId: session } : {}),
        ...(model ? { model } : {}),
        ...(sideError ? { error: sideError } : {}),
        ...(first !== undefined ? { firstTokenMs: first } : {}),
        durationMs,
      });
    }
    await updateChat(chatId, { updatedAt: Date.now() });
    setRunning(chatId, false);
  } finally {
    finished();
  }
  for (const side of sides) {
    const images = acc[side].images;
    if (images.length) void keepImages(chatId, ids[side] ?? "", images);
  }
}
