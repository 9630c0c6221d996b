/**
 * Which replies are streaming right now, in any tab: a tab holds a Web Lock named after each
 * reply it streams. At start-up a tab marks `streaming` messages as stopped (left so by a reload
 * or a crash) except those whose lock another tab holds.
 */

const PREFIX = "lmarena-reply:";

function locks(): LockManager | null {
  return typeof navigator !== "undefined" && navigator.locks ? navigator.locks : null;
}

/** Holds the reply's lock until `done` settles. */
export function holdReplyLock(replyId: string, done: Promise<unknown>): void {
  void locks()
    ?.request(`${PREFIX}${replyId}`, () => done.catch(() => undefined))
    .catch(() => undefined);
}

/** Ids of the replies some tab is streaming. */
export async function liveReplyIds(): Promise<Set<string>> {
  const manager = locks();
  if (!manager) return new Set();
  try {
    const { held = [] } = await manager.query();
    return new Set(
      held
        .map((lock) => lock.name ?? "")
        .filter((name) => name.startsWith(PREFIX))
        .map((name) => name.slice(PREFIX.length)),
    );
  } catch {
    return new Set();
  }
}
