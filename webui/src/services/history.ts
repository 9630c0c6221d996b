/**
 * Which messages a request carries. Every request sends the conversation up to and including its
 * prompt; the server recognises a history it recorded (and continues, or regenerates, in that
 * session) and carries any other one (edited, another model, a lost session) into a new session
 * (docs/API.md, "Stateless clients: whole histories"). Nothing here depends on what the server
 * remembers, so a chat goes on after a reload, an import or a server restart.
 */

import type { Message } from "../types";

/**
 * A message that belongs to the conversation the model sees: every prompt and every finished
 * reply; a stopped or failed reply only with the text it got to.
 */
export function inConversation(message: Message): boolean {
  if (message.role === "user" || message.status === "done") return true;
  if (message.status === "streaming") return false;
  return message.content.trim() !== "";
}

/** Sending a new prompt: the whole thread, whose last message is that prompt. */
export function historyForSend(thread: readonly Message[]): Message[] {
  return thread.filter(inConversation);
}

/**
 * Regenerating a reply: the conversation up to and including the prompt it answered (the server
 * recognises the repeat and has the site answer it again: no extra turn). Null when the message
 * is not a reply to a prompt.
 */
export function historyForRegenerate(thread: readonly Message[], replyId: string): Message[] | null {
  const index = thread.findIndex((m) => m.id === replyId);
  if (index === -1 || thread[index]?.role !== "assistant") return null;
  const before = thread.slice(0, index);
  const prompt = before.map((m) => m.role).lastIndexOf("user");
  if (prompt === -1) return null;
  return historyForSend(before.slice(0, prompt + 1));
}

/**
 * Editing a user message and sending it again: the conversation before it, then the message
 * with its new text (and its images). Later messages are dropped: the edited branch replaces
 * them. Null when the message is not the user's or would be empty.
 */
export function historyForEdit(
  thread: readonly Message[],
  messageId: string,
  text: string,
): Message[] | null {
  const index = thread.findIndex((m) => m.id === messageId);
  const message = thread[index];
  if (!message || message.role !== "user") return null;
  if (!text.trim() && !message.images?.length) return null;
  return [...historyForSend(thread.slice(0, index)), { ...message, content: text }];
}

/**
 * The session a new prompt resumes explicitly, if any. A stopped reply was never recorded by the
 * server (only finished turns are), yet the site's session holds it: the prompt sent after it
 * goes to that session by its id (`resumed`) rather than starting a new one. Only for sending a
 * new prompt (a regenerate or an edit rewrites what that session would hold), and only while the
 * chat keeps the stopped reply's model; otherwise the server decides from the history alone.
 */
export function sessionToResume(history: readonly Message[], model: string): string | null {
  const previous = history[history.length - 2];
  if (previous?.role !== "assistant" || previous.status !== "stopped") return null;
  if (!previous.sessionId || previous.model !== model) return null;
  return previous.sessionId;
}
