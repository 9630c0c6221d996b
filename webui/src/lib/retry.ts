/** How long to wait before asking a server that is starting (or unreachable) again. */

export const RETRY_CAP_MS = 15_000;
export const RETRY_BASE_MS = 1_000;

/**
 * The wait before attempt `attempt + 1` (attempts count from 1): the server's `Retry-After`
 * (seconds) when it sent one, else an exponential backoff; never more than `RETRY_CAP_MS`, never
 * less than a quarter of a second.
 */
export function retryDelayMs(attempt: number, retryAfterSeconds: number | null): number {
  const backoff = RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1);
  const wanted = retryAfterSeconds !== null && retryAfterSeconds > 0 ? retryAfterSeconds * 1000 : backoff;
  return Math.max(250, Math.min(RETRY_CAP_MS, wanted));
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
