/**
 * The models offered by `GET /v1/models`. A server that is still starting answers 503 with
 * `Retry-After` (or does not answer yet): the list is asked for again, honouring that header with
 * a cap and a backoff, and the UI says "starting up…" meanwhile; no reload is needed.
 */

import { create } from "zustand";
import { ApiError, listModels } from "../api/client";
import type { ApiModel } from "../api/types";
import { toMessageError } from "../lib/errors";
import { retryDelayMs, sleep } from "../lib/retry";
import type { MessageError } from "../types";
import { useSettings } from "./settings";

export interface ModelsState {
  /** `starting`: the server is not ready yet; another attempt is scheduled. */
  status: "idle" | "loading" | "starting" | "ready" | "error";
  /** The models to chat with (the arena's entries, like `battle`, are modes: see `arenaModes`). */
  models: ApiModel[];
  /** The arena modes the server lists as entries of `/v1/models` (`capabilities.arena`). */
  arenaModes?: string[];
  error: MessageError | null;
  /** Attempts so far while the server is starting (0 otherwise). */
  attempt: number;
}

export const useModels = create<ModelsState>(() => ({ status: "idle", models: [], error: null, attempt: 0 }));

/** Attempts before giving up and showing the error (about three minutes at the cap). */
export const MAX_ATTEMPTS = 15;

let inFlight: AbortController | null = null;

/** Worth asking again: the server is starting, overloaded, or not reachable yet. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) {
    return error.status === 503 || error.status === 502 || error.status === 504 || error.retryAfter !== null;
  }
  return error instanceof TypeError; // fetch could not reach the server
}

export async function loadModels(): Promise<void> {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  const { signal } = controller;
  useModels.setState((s) => ({ status: s.status === "starting" ? "starting" : "loading", error: null }));
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const listed = await listModels({ apiKey: useSettings.getState().apiKey, signal });
        if (signal.aborted) return;
        const models = listed.filter((m) => !m.capabilities.arena);
        const arenaModes = listed.flatMap((m) => (m.capabilities.arena ? [m.capabilities.arena] : []));
        useModels.setState({ status: "ready", models, arenaModes, error: null, attempt: 0 });
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (!isTransient(error) || attempt >= MAX_ATTEMPTS) throw error;
        const retryAfter = error instanceof ApiError ? error.retryAfter : null;
        useModels.setState({ status: "starting", error: toMessageError(error), attempt });
        await sleep(retryDelayMs(attempt, retryAfter), signal);
      }
    }
  } catch (error) {
    if (signal.aborted) return;
    useModels.setState({ status: "error", error: toMessageError(error), attempt: 0 });
  } finally {
    if (inFlight === controller) inFlight = null;
  }
}

export function findModel(models: readonly ApiModel[], id: string | null): ApiModel | undefined {
  return id ? models.find((m) => m.id === id) : undefined;
}

/** Case-insensitive match on id, display name and organization. */
export function filterModels(models: readonly ApiModel[], query: string): ApiModel[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...models];
  return models.filter((m) =>
    [m.id, m.displayName, m.ownedBy].some((field) => field.toLowerCase().includes(q)),
  );
}
