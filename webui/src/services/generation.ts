/**
 * Sending a prompt and receiving its reply. A reply belongs to its chat, not to the view: it goes
 * on (and is saved) when the user opens another chat. Deltas reach the store at most once per
 * animation frame; the partial text is kept when the user stops or the request fails.
 */

import { completeOnce, streamCompletion } from "../api/client";
import { toMessageError } from "../lib/errors";
import { createFrameBatcher } from "../lib/frameBatcher";
import { renderStats } from "../lib/renderStats";
import { titleFromPrompt } from "../lib/title";
import {
  appendMessage,
  patchMessage,
  removeMessage,
  setRunning,
  threadMessages,
  updateChat,
  useChats,
} from "../stores/chats";
import { currentSettings, updateSettings } from "../stores/settings";
import type { Message, MessageError, MessageStatus } from "../types";
import { ReplyAccumulator } from "./reply";
import { buildChatRequest } from "./request";

const controllers = new Map<string, AbortController>();
/** How often a streaming reply is saved, so a reload keeps most of it. */
const SAVE_EVERY_MS = 2000;

export function isRunning(chatId: string): boolean {
  return controllers.has(chatId);
}

/** Stops the chat's running reply (the request is aborted, so the server drops the job). */
export function stopReply(chatId: string): void {
  controllers.get(chatId)?.abort();
}

export async function sendPrompt(chatId: string, text: string, images: string[]): Promise<boolean> {
  const { chats, running } = useChats.getState();
  const chat = chats[chatId];
  if (!chat?.model || running[chatId] || (!text.trim() && images.length === 0)) return false;
  const isFirst = threadMessages(chatId).length === 0;
  setRunning(chatId, true); // at once: the Stop button shows and a second send is refused
  let prompt: Message;
  try {
    prompt = await appendMessage({
      chatId,
      role: "user",
      content: text,
      status: "done",
      ...(images.length ? { images } : {}),
    });
    await updateChat(chatId, {
      updatedAt: Date.now(),
      ...(isFirst && !chat.titleIsCustom ? { title: titleFromPrompt(text, images.length) } : {}),
    });
    if (currentSettings().lastModel !== chat.model) await updateSettings({ lastModel: chat.model });
  } catch (error) {
    setRunning(chatId, false);
    throw error;
  }
  await runReply(chatId, prompt);
  return true;
}

/** Asks again for the reply that failed: the failed message is replaced. */
export async function retryReply(chatId: string, failedId: string): Promise<void> {
  if (useChats.getState().running[chatId]) return;
  const messages = threadMessages(chatId);
  const index = messages.findIndex((m) => m.id === failedId);
  const prompt = messages.slice(0, index).reverse().find((m) => m.role === "user");
  if (index === -1 || !prompt) return;
  setRunning(chatId, true);
  await removeMessage(chatId, failedId);
  await runReply(chatId, prompt);
}

async function runReply(chatId: string, prompt: Message): Promise<void> {
  const chat = useChats.getState().chats[chatId];
  if (!chat?.model) {
    setRunning(chatId, false);
    return;
  }
  const settings = currentSettings();
  const controller = new AbortController();
  controllers.set(chatId, controller);
  setRunning(chatId, true);
  const reply = await appendMessage({
    chatId,
    role: "assistant",
    content: "",
    model: chat.model,
    status: "streaming",
  });
  const acc = new ReplyAccumulator();
  let lastSave = Date.now();
  let savedSession = chat.evaluationSessionId;
  const saveSession = (): void => {
    if (acc.sessionId && acc.sessionId !== savedSession) {
      savedSession = acc.sessionId;
      void updateChat(chatId, { evaluationSessionId: acc.sessionId });
    }
  };
  const batcher = createFrameBatcher(() => {
    renderStats.flushes++;
    const persist = Date.now() - lastSave > SAVE_EVERY_MS;
    if (persist) lastSave = Date.now();
    void patchMessage(chatId, reply.id, { content: acc.content, reasoning: acc.reasoning }, persist);
  });
  const options = { apiKey: settings.apiKey, signal: controller.signal };
  const request = buildChatRequest(chat, prompt, settings.streaming);
  let status: MessageStatus = "done";
  let error: MessageError | undefined;
  try {
    if (settings.streaming) {
      await streamCompletion(request, options, (update) => {
        renderStats.deltas++;
        acc.apply(update);
        if (update.sessionId) saveSession();
        if (update.content || update.reasoning) batcher.request();
      });
    } else {
      acc.apply(await completeOnce(request, options));
    }
  } catch (failure) {
    if (controller.signal.aborted) status = "stopped";
    else {
      status = "error";
      error = toMessageError(failure);
    }
  } finally {
    batcher.cancel();
    controllers.delete(chatId);
  }
  saveSession();
  await patchMessage(chatId, reply.id, {
    content: acc.content,
    status,
    ...(acc.reasoning ? { reasoning: acc.reasoning } : {}),
    ...(acc.images.length ? { images: acc.images } : {}),
    ...(acc.citations.length ? { citations: acc.citations } : {}),
    ...(acc.usage ? { usage: acc.usage } : {}),
    ...(error ? { error } : {}),
  });
  await updateChat(chatId, { updatedAt: Date.now() });
  setRunning(chatId, false);
}
