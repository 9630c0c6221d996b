/**
 * What the user does to a conversation: send a prompt, regenerate the last reply, edit a prompt
 * and send it again. Each sends the conversation it leaves (`history.ts`), with the chat's
 * current model; the reply streams in through `runReply`.
 */

import { titleFromPrompt } from "../lib/title";
import {
  appendMessage,
  describeChats,
  patchMessage,
  pruneChats,
  removeMessagesAfter,
  replaceMessage,
  setRunning,
  threadMessages,
  updateChat,
  useChats,
} from "../stores/chats";
import { currentSettings, updateSettings } from "../stores/settings";
import { notify } from "../stores/ui";
import type { Chat, Message } from "../types";
import { historyForEdit, historyForRegenerate, historyForSend, sessionToResume } from "./history";
import { runReply } from "./replyRun";

export { isRunning, stopReply } from "./replyRun";

/** The chat, when it has a model and no reply running. */
function idleChat(chatId: string): (Chat & { model: string }) | null {
  const { chats, running } = useChats.getState();
  const chat = chats[chatId];
  if (!chat?.model || running[chatId]) return null;
  return { ...chat, model: chat.model };
}

/** Runs `change` with the chat marked running (so a second action is refused at once). */
async function claim<T>(chatId: string, change: () => Promise<T>): Promise<T> {
  setRunning(chatId, true);
  try {
    return await change();
  } catch (error) {
    setRunning(chatId, false);
    throw error;
  }
}

async function rememberModel(model: string): Promise<void> {
  if (currentSettings().lastModel !== model) await updateSettings({ lastModel: model });
}

function appendReply(chatId: string, model: string): Promise<Message> {
  return appendMessage({ chatId, role: "assistant", content: "", model, status: "streaming" });
}

export async function sendPrompt(chatId: string, text: string, images: string[]): Promise<boolean> {
  const chat = idleChat(chatId);
  if (!chat || (!text.trim() && images.length === 0)) return false;
  const isFirst = threadMessages(chatId).length === 0;
  const { reply, history } = await claim(chatId, async () => {
    await appendMessage({
      chatId,
      role: "user",
      content: text,
      status: "done",
      ...(images.length ? { images } : {}),
    });
    const sent = historyForSend(threadMessages(chatId));
    await updateChat(chatId, {
      updatedAt: Date.now(),
      ...(isFirst && !chat.titleIsCustom ? { title: titleFromPrompt(text, images.length) } : {}),
    });
    await rememberModel(chat.model);
    return { reply: await appendReply(chatId, chat.model), history: sent };
  });
  // An empty chat does not count toward the limit: this one starts counting now.
  if (isFirst) void pruneForNewChat();
  // Only a new prompt may resume a stopped reply's session: a regenerate or an edit changes
  // what that session would hold, so the server must decide from the history alone.
  await runReply(chatId, reply.id, chat.model, history, sessionToResume(history, chat.model));
  return true;
}

/** Applies the chat limit and says which chats it deleted. */
async function pruneForNewChat(): Promise<void> {
  const gone = await pruneChats();
  if (!gone.length) return;
  const limit = currentSettings().maxChats;
  notify(
    `Deleted ${describeChats(gone)} to keep ${limit} chat${limit === 1 ? "" : "s"} (Settings → Chats to keep). Pin a chat to keep it.`,
    "info",
    8000,
  );
}

/**
 * Asks again for the chat's last reply (also a failed one), replacing it in place. The request
 * repeats the conversation up to its prompt; the server has the site regenerate that reply.
 */
export async function regenerateReply(chatId: string, replyId: string): Promise<boolean> {
  const chat = idleChat(chatId);
  const thread = threadMessages(chatId);
  const old = thread[thread.length - 1];
  if (!chat || old?.id !== replyId) return false;
  const history = historyForRegenerate(thread, replyId);
  if (!history) return false;
  await claim(chatId, async () => {
    await replaceMessage({
      id: old.id,
      chatId,
      seq: old.seq,
      role: "assistant",
      content: "",
      model: chat.model,
      status: "streaming",
      createdAt: Date.now(),
    });
    await updateChat(chatId, { updatedAt: Date.now() });
    await rememberModel(chat.model);
  });
  await runReply(chatId, replyId, chat.model, history);
  return true;
}

/**
 * Gives a user message new text and sends it again: the messages after it are dropped and the
 * new reply follows. The server carries the earlier turns into a new session.
 */
export async function editAndResend(chatId: string, messageId: string, text: string): Promise<boolean> {
  const chat = idleChat(chatId);
  const thread = threadMessages(chatId);
  const history = historyForEdit(thread, messageId, text);
  if (!chat || !history) return false;
  const isFirst = thread[0]?.id === messageId;
  const images = thread.find((m) => m.id === messageId)?.images?.length ?? 0;
  const reply = await claim(chatId, async () => {
    await patchMessage(chatId, messageId, { content: text });
    await removeMessagesAfter(chatId, messageId);
    await updateChat(chatId, {
      updatedAt: Date.now(),
      ...(isFirst && !chat.titleIsCustom ? { title: titleFromPrompt(text, images) } : {}),
    });
    await rememberModel(chat.model);
    return appendReply(chatId, chat.model);
  });
  await runReply(chatId, reply.id, chat.model, history);
  return true;
}
