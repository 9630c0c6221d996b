/** Any thrown value as the `MessageError` shown in the UI. */

import { ApiError } from "../api/client";
import type { MessageError } from "../types";

export function toMessageError(error: unknown): MessageError {
  if (error instanceof ApiError) {
    return {
      message: error.isAuth
        ? `${error.message} — this server needs an API key. Set it in Settings.`
        : error.message,
      status: error.status,
      code: error.code,
      auth: error.isAuth,
    };
  }
  if (error instanceof TypeError) {
    return { message: "Could not reach the server. Is it running?", status: null, code: null, auth: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: message || "Something went wrong", status: null, code: null, auth: false };
}
