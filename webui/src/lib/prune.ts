/** Which chats to delete so that at most `max` remain, dropping the least recently used first. */

import type { Chat } from "../types";

export function clampMaxChats(value: number): number {
  if (!Number.isFinite(value)) return 50;
  return Math.min(1000, Math.max(1, Math.round(value)));
}

/**
 * Ids of the chats to delete. `keep` (the open chat, chats with a running reply) is never
 * deleted and counts toward the limit.
 */
export function chatsToPrune(
  chats: readonly Pick<Chat, "id" | "updatedAt">[],
  max: number,
  keep: ReadonlySet<string> = new Set(),
): string[] {
  const limit = clampMaxChats(max);
  if (chats.length <= limit) return [];
  const byRecency = [...chats].sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
  let kept = byRecency.filter((c) => keep.has(c.id)).length;
  const pruned: string[] = [];
  for (const chat of byRecency) {
    if (keep.has(chat.id)) continue;
    if (kept < limit) kept++;
    else pruned.push(chat.id);
  }
  return pruned;
}
