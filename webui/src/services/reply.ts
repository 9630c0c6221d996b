/** Accumulates the parts of one reply as chunks arrive. */

import type { Citation, Mapping, ReplyUpdate, Usage } from "../api/types";

export class ReplyAccumulator {
  content = "";
  reasoning = "";
  images: string[] = [];
  citations: Citation[] = [];
  usage: Usage | undefined;
  sessionId: string | undefined;
  mapping: Mapping | undefined;
  finishReason: string | undefined;

  apply(update: ReplyUpdate): void {
    if (update.content) this.content += update.content;
    if (update.reasoning) this.reasoning += update.reasoning;
    if (update.images)
      this.images = [...this.images, ...update.images.filter((u) => !this.images.includes(u))];
    if (update.citations) {
      const known = new Set(this.citations.map((c) => c.url));
      this.citations = [...this.citations, ...update.citations.filter((c) => !known.has(c.url))];
    }
    if (update.usage) this.usage = update.usage;
    if (update.sessionId) this.sessionId = update.sessionId;
    if (update.mapping) this.mapping = update.mapping;
    if (update.finishReason) this.finishReason = update.finishReason;
  }

  /** Nothing of the reply has arrived yet (a failed request can still be sent again). */
  get empty(): boolean {
    return !this.content && !this.reasoning && this.images.length === 0;
  }
}
