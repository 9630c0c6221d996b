/**
 * One reply streaming into its message. A reply belongs to its chat, not to the view: it goes on
 * (and is saved) when the user opens another chat. Deltas reach the store at most once per
 * animation frame; the partial text is kept when the user stops or the request fails.
 */

import { ApiError, completeOnce, streamCompletion, type RequestOptions } from "../api/client";
import type { ChatRequest, ReplyUpdate } from "../api/types";
import { failedReply } from "../lib/errors";
import { createFrameBatcher } from "../lib/frameBatcher";
import { renderStats } from "../lib/renderStats";
import { patchMessage, setRunning, updateChat, useChats } from "../stores/chats";
import { currentSettings } from "../stores/settings";
import type { Message, MessageError, MessageStatus } from "../types";
import { keepImages } from "./images";
import { ReplyAccumulator } from "./reply";
import { holdReplyLock } from "./replyLocks";
import { buildChatRequest } from "./request";

const controllers = new Map<string, AbortController>();
/** How often a streaming reply is saved, so a reload keeps most of it. */
const SAVE_EVERY_MS = 2000;

export function isRunning(chatId: string): boolean {
  return controllers.has(chatId);
}

/** Stops the chat's running reply (the request is aborted, so the server drops the job). */
export function stopReply(chatId: string): boolean {
  const controller = controllers.get(chatId);
  controller?.abort();
  return controller !== undefined;
}

/**
 * Makes another kind of request (an arena turn: `arenaRun.ts`) stoppable by `stopReply`;
 * returns the function that forgets it.
 */
export function trackRequest(chatId: string, controller: AbortController): () => void {
  controllers.set(chatId, controller);
  return () => {
    if (controllers.get(chatId) === controller) controllers.delete(chatId);
  };
}

/** The session named by the vendor field is gone: the whole history goes without it instead. */
function sessionGone(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.code === "conversation_lost" || error.code === "conversation_not_found")
  );
}

async function deliver(
  request: ChatRequest,
  options: RequestOptions,
  onUpdate: (update: ReplyUpdate) => void,
): Promise<void> {
  if (request.stream) await streamCompletion(request, options, onUpdate);
  else onUpdate(await completeOnce(request, options));
}

/**
 * Asks for the reply to `history` (which ends with its prompt) and writes it into the message
 * `replyId`, already in the thread with status `streaming`. `resume` names a session to send as
 * the vendor field (see `sessionToResume`); if that session is gone, the history goes without
 * it. The caller has marked the chat running; this clears it at the end.
 */
export async function runReply(
  chatId: string,
  replyId: string,
  model: string,
  history: readonly Message[],
  resume: string | null = null,
): Promise<void> {
  const settings = currentSettings();
  const system = useChats.getState().chats[chatId]?.systemPrompt ?? "";
  const controller = new AbortController();
  controllers.set(chatId, controller);
  setRunning(chatId, true);
  let finished: () => void = () => undefined;
  holdReplyLock(replyId, new Promise<void>((resolve) => (finished = resolve)));
  const startedAt = Date.now();
  let firstTokenMs: number | undefined;
  const acc = new ReplyAccumulator();
  let lastSave = Date.now();
  let savedSession: string | undefined;
  const saveSession = (): void => {
    if (!acc.sessionId || acc.sessionId === savedSession) return;
    savedSession = acc.sessionId;
    void updateChat(chatId, { evaluationSessionId: acc.sessionId });
    const mapping = acc.mapping ? { mapping: acc.mapping } : {};
    void patchMessage(chatId, replyId, {
      sessionId: acc.sessionId,
      ...mapping,
      content: acc.content,
      reasoning: acc.reasoning,
    });
  };
  const batcher = createFrameBatcher(() => {
    renderStats.flushes++;
    const persist = Date.now() - lastSave > SAVE_EVERY_MS;
    if (persist) lastSave = Date.now();
    void patchMessage(chatId, replyId, { content: acc.content, reasoning: acc.reasoning }, persist);
  });
  const onUpdate = (update: ReplyUpdate): void => {
    renderStats.deltas++;
    acc.apply(update);
    if (firstTokenMs === undefined && !acc.empty) firstTokenMs = Date.now() - startedAt;
    if (update.sessionId) saveSession();
    if (update.content || update.reasoning) batcher.request();
  };
  const options = { apiKey: settings.apiKey, signal: controller.signal };
  let session = resume;
  let status: MessageStatus = "done";
  let error: MessageError | undefined;
  try {
    for (;;) {
      try {
        const request = buildChatRequest(model, history, settings.streaming, session, system);
        await deliver(request, options, onUpdate);
        break;
      } catch (failure) {
        // A stopped reply's session that can no longer be continued: carry the history instead.
        if (!session || !acc.empty || controller.signal.aborted || !sessionGone(failure)) throw failure;
        session = null;
      }
    }
  } catch (failure) {
    ({ status, error } = failedReply(failure, controller.signal));
  } finally {
    batcher.cancel();
    controllers.delete(chatId);
  }
  try {
    saveSession();
    await patchMessage(chatId, replyId, {
      content: acc.content,
      status,
      ...(acc.reasoning ? { reasoning: acc.reasoning } : {}),
      ...(acc.images.length ? { images: acc.images } : {}),
      ...(acc.citations.length ? { citations: acc.citations } : {}),
      ...(acc.usage ? { usage: acc.usage } : {}),
      ...(acc.mapping ? { mapping: acc.mapping } : {}),
      ...(error ? { error } : {}),
      ...(firstTokenMs !== undefined ? { firstTokenMs } : {}),
      durationMs: Date.now() - startedAt,
    });
    await updateChat(chatId, { updatedAt: Date.now() });
    setRunning(chatId, false);
  } finally {
    finished();
  }
  if (acc.images.length) void keepImages(chatId, replyId, acc.images);
}
