/**
 * Any thrown value as the `MessageError` shown in the UI: plain words first; what the server or
 * the browser said, word for word, goes to `detail` (behind a "Details" toggle).
 */

import { ApiError } from "../api/client";
import type { MessageError, MessageStatus } from "../types";

/** Text meant for developers: exception names, HTTP dumps, JSON, tracebacks, very long text. */
export function looksTechnical(text: string): boolean {
  return (
    text.length > 200 ||
    /<\w*(Error|Exception)\b/.test(text) ||
    /\b\w+(Error|Exception):/.test(text) ||
    /\b(answered|returned|responded|status(?: code)?)\s*:?\s*\d{3}\b/i.test(text) ||
    /\bHTTP\/?\s?\d/i.test(text) ||
    /Traceback|errno|ECONN|ETIMEDOUT|\bat \w+ \(/i.test(text) ||
    /[{[]\s*"/.test(text)
  );
}

function detailOf(error: ApiError): string {
  const where = [error.status ? `HTTP ${error.status}` : null, error.code].filter(Boolean).join(", ");
  return where ? `${error.message} (${where})` : error.message;
}

/** Plain words for an API error, from its status and code. */
function plainWords(error: ApiError): string {
  if (error.isAuth) return "This server needs an API key. Set it in Settings.";
  if (error.code === "conversation_lost" || error.code === "conversation_not_found")
    return "LMArena no longer has this conversation. Send it again to start over with the history.";
  if (error.status === 429) return "Too many requests right now. Wait a moment, then try again.";
  if (error.status === 413) return "The request is too large. Try smaller or fewer images.";
  if (error.status === 503 || error.status === 502 || error.status === 504)
    return "The server is busy or still starting. Try again in a moment.";
  if (!looksTechnical(error.message) && error.message.trim()) return error.message.trim();
  if (error.status !== null && error.status >= 400 && error.status < 500)
    return "LMArena did not accept this request.";
  return "LMArena could not finish this reply. Try again.";
}

export function toMessageError(error: unknown): MessageError {
  if (error instanceof ApiError) {
    const message = plainWords(error);
    const detail = detailOf(error);
    return {
      message,
      status: error.status,
      code: error.code,
      auth: error.isAuth,
      ...(detail !== message ? { detail } : {}),
    };
  }
  if (error instanceof TypeError) {
    return {
      message: "Could not reach the server. Is it running?",
      status: null,
      code: null,
      auth: false,
      ...(error.message ? { detail: error.message } : {}),
    };
  }
  const raw = error instanceof Error ? error.message : String(error);
  if (raw && looksTechnical(raw))
    return { message: "Something went wrong.", status: null, code: null, auth: false, detail: raw };
  return { message: raw || "Something went wrong.", status: null, code: null, auth: false };
}

/** How a reply whose request threw ends: stopped when the user aborted it, else an error. */
export function failedReply(
  failure: unknown,
  signal: AbortSignal,
): { status: MessageStatus; error?: MessageError } {
  return signal.aborted ? { status: "stopped" } : { status: "error", error: toMessageError(failure) };
}
