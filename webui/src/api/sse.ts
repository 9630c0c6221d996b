/**
 * An incremental Server-Sent Events parser (the WHATWG "event stream" rules, minus `id`/`retry`
 * bookkeeping, which this API never uses).
 *
 * Bytes go in as they arrive from `fetch`'s `ReadableStream`; chunk boundaries may fall anywhere,
 * including inside a line, between `\r` and `\n`, or inside a multi-byte UTF-8 character.
 */

export type SseItem = { kind: "event"; event: string; data: string } | { kind: "comment"; text: string };

export class SseParser {
  private readonly decoder = new TextDecoder("utf-8");
  private buffer = "";
  private data: string[] = [];
  private eventName = "";
  private sawField = false;

  /** Feeds raw bytes; returns the items completed by them. */
  push(bytes: Uint8Array): SseItem[] {
    return this.feed(this.decoder.decode(bytes, { stream: true }), false);
  }

  /** Feeds already-decoded text (used by tests and by `end`). */
  pushText(text: string): SseItem[] {
    return this.feed(text, false);
  }

  /**
   * Ends the stream. A last line without its newline is still read, and a pending event is
   * dispatched: servers that close right after `data: [DONE]` lose nothing.
   */
  end(): SseItem[] {
    const items = this.feed(this.decoder.decode(), true);
    if (this.buffer) {
      this.line(this.buffer, items);
      this.buffer = "";
    }
    this.dispatch(items);
    return items;
  }

  private feed(text: string, final: boolean): SseItem[] {
    this.buffer += text;
    const items: SseItem[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      if (ch === 13 && i === this.buffer.length - 1 && !final) break; // maybe CRLF split in two
      this.line(this.buffer.slice(start, i), items);
      if (ch === 13 && this.buffer.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return items;
  }

  private line(line: string, items: SseItem[]): void {
    if (line === "") {
      this.dispatch(items);
      return;
    }
    if (line.startsWith(":")) {
      items.push({ kind: "comment", text: line.slice(1).trimStart() });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      this.data.push(value);
      this.sawField = true;
    } else if (field === "event") {
      this.eventName = value;
      this.sawField = true;
    }
  }

  private dispatch(items: SseItem[]): void {
    if (this.sawField && this.data.length > 0) {
      items.push({ kind: "event", event: this.eventName || "message", data: this.data.join("\n") });
    }
    this.data = [];
    this.eventName = "";
    this.sawField = false;
  }
}

/** Reads a byte stream to its end, yielding SSE items as they complete. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseItem> {
  const parser = new SseParser();
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(value);
    }
    finished = true;
    yield* parser.end();
  } finally {
    // The consumer stopped early (for example at `data: [DONE]`): close the connection.
    if (!finished) reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
