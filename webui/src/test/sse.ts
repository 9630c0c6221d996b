/** Helpers for tests: byte streams cut at chosen places. */

export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Splits bytes into pieces of the given sizes (the rest as one last piece). */
export function cut(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= bytes.length) break;
    out.push(bytes.slice(at, at + size));
    at += size;
  }
  if (at < bytes.length) out.push(bytes.slice(at));
  return out;
}

export function streamOf(pieces: Uint8Array[], delayMs = 0): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const piece = pieces[i++];
      if (piece) controller.enqueue(piece);
      else controller.close();
    },
  });
}

export function sseBody(events: unknown[], comments = true): string {
  let body = comments ? ": ping\n\n" : "";
  for (const e of events) body += `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`;
  return `${body}data: [DONE]\n\n`;
}

export function chunk(
  delta: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  finish: string | null = null,
): Record<string, unknown> {
  return {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  };
}
