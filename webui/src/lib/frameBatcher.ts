/**
 * Coalesces many calls into at most one `flush` per animation frame (per 100 ms while the page is
 * hidden, where animation frames stop).
 */

export interface FrameBatcher {
  request(): void;
  /** Runs a pending flush now. */
  flushNow(): void;
  cancel(): void;
}

type Scheduler = (run: () => void) => () => void;

const defaultScheduler: Scheduler = (run) => {
  const visible = typeof document !== "undefined" && document.visibilityState === "visible";
  if (typeof requestAnimationFrame === "function" && visible) {
    const handle = requestAnimationFrame(run);
    return () => cancelAnimationFrame(handle);
  }
  const handle = setTimeout(run, 100);
  return () => clearTimeout(handle);
};

export function createFrameBatcher(flush: () => void, schedule: Scheduler = defaultScheduler): FrameBatcher {
  let cancelPending: (() => void) | null = null;
  const run = (): void => {
    cancelPending = null;
    flush();
  };
  return {
    request() {
      if (!cancelPending) cancelPending = schedule(run);
    },
    flushNow() {
      if (cancelPending) {
        cancelPending();
        run();
      }
    },
    cancel() {
      cancelPending?.();
      cancelPending = null;
    },
  };
}
