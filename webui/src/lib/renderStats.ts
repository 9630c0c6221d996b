/**
 * Commit counters for the message list, read by the e2e re-render test through
 * `window.__lmarenaRenderStats`. Counting happens in effects, so it works in production builds
 * (where React's Profiler is disabled) at the cost of an integer increment per commit.
 */

export interface RenderStats {
  /** Commits of the message list itself (should change only when messages are added/removed). */
  messageListCommits: number;
  /** Commits of the message being streamed. */
  liveMessageCommits: number;
  /** Commits of finished messages (memoized: should stay near zero while another streams). */
  finishedMessageCommits: number;
  /** Stream chunks received, and store updates made from them (at most one per frame). */
  deltas: number;
  flushes: number;
}

export const renderStats: RenderStats = {
  messageListCommits: 0,
  liveMessageCommits: 0,
  finishedMessageCommits: 0,
  deltas: 0,
  flushes: 0,
};

export function resetRenderStats(): void {
  renderStats.messageListCommits = 0;
  renderStats.liveMessageCommits = 0;
  renderStats.finishedMessageCommits = 0;
  renderStats.deltas = 0;
  renderStats.flushes = 0;
}

declare global {
  interface Window {
    __lmarenaRenderStats?: RenderStats & { reset: () => void };
  }
}

if (typeof window !== "undefined") {
  window.__lmarenaRenderStats = Object.assign(renderStats, { reset: resetRenderStats });
}
