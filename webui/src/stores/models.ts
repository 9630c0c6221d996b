/** The models offered by `GET /v1/models`. */

import { create } from "zustand";
import { listModels } from "../api/client";
import type { ApiModel } from "../api/types";
import { toMessageError } from "../lib/errors";
import type { MessageError } from "../types";
import { useSettings } from "./settings";

export interface ModelsState {
  status: "idle" | "loading" | "ready" | "error";
  models: ApiModel[];
  error: MessageError | null;
}

export const useModels = create<ModelsState>(() => ({ status: "idle", models: [], error: null }));

let inFlight: AbortController | null = null;

export async function loadModels(): Promise<void> {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  useModels.setState({ status: "loading", error: null });
  try {
    const models = await listModels({ apiKey: useSettings.getState().apiKey, signal: controller.signal });
    if (controller.signal.aborted) return;
    useModels.setState({ status: "ready", models, error: null });
  } catch (error) {
    if (controller.signal.aborted) return;
    useModels.setState({ status: "error", error: toMessageError(error) });
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
