/** Accumulates the parts of one reply as chunks arrive. */

import type { Citation, ReplyUpdate, Usage } from "../api/types";

export class ReplyAccumulator {
  content = "";
  reasoning = "";
  images: string[] = [];
  citations: Citation[] = [];
  usage: Usage | undefined;
  sessionId: string | undefined;
  finishReason: string | undefined;

  apply(update: ReplyUpdate): void {
    if (update.content) this.content += update.content;
    if (update.reasoning) this.reasoning += update.reasoning;
    if (update.images) this.images = [...this.images, ...update.images.filter((u) => !this.images.includes(u))];
    if (update.citations) {
      const known = new Set(this.citations.map((c) => c.url));
      this.citations = [...this.citations, ...update.citations.filter((c) => !known.has(c.url))];
    }
    if (update.usage) this.usage = update.usage;
    if (update.sessionId) this.sessionId = update.sessionId;
    if (update.finishReason) this.finishReason = update.finishReason;
  }
}
