import { describe, expect, it } from "vitest";
import { bytesOf, cut, streamOf } from "../test/sse";
import { readSse, SseParser, type SseItem } from "./sse";

function parseAll(pieces: Uint8Array[]): SseItem[] {
  const parser = new SseParser();
  const items = pieces.flatMap((p) => parser.push(p));
  return [...items, ...parser.end()];
}

const data = (items: SseItem[]): string[] => items.flatMap((i) => (i.kind === "event" ? [i.data] : []));

describe("SseParser", () => {
  it("reads data events, comments and [DONE]", () => {
    const items = parseAll([bytesOf(': ping\n\ndata: {"a":1}\n\ndata: [DONE]\n\n')]);
    expect(items).toEqual([
      { kind: "comment", text: "ping" },
      { kind: "event", event: "message", data: '{"a":1}' },
      { kind: "event", event: "message", data: "[DONE]" },
    ]);
  });

  it("joins multi-line data and ignores id/retry/unknown fields", () => {
    const items = parseAll([bytesOf("id: 7\nretry: 10\nfoo: bar\ndata: one\ndata:two\n\n")]);
    expect(data(items)).toEqual(["one\ntwo"]);
  });

  it("keeps events whole whatever the chunk boundaries (every split point)", () => {
    const text = ': ping\n\ndata: {"content":"naïve café 日本語 🙂"}\n\ndata: [DONE]\n\n';
    const bytes = bytesOf(text);
    for (let a = 1; a < bytes.length; a++) {
      const items = parseAll(cut(bytes, [a]));
      expect(data(items)).toEqual(['{"content":"naïve café 日本語 🙂"}', "[DONE]"]);
    }
  });

  it("decodes multi-byte UTF-8 characters split across many chunks", () => {
    const bytes = bytesOf("data: 🙂日\n\n");
    const pieces = Array.from(bytes, (b) => Uint8Array.of(b)); // one byte per chunk
    expect(data(parseAll(pieces))).toEqual(["🙂日"]);
  });

  it("accepts CRLF and CR line ends, also when CR and LF arrive apart", () => {
    expect(data(parseAll([bytesOf("data: a\r\n\r\ndata: b\r\rdata: c\n\n")]))).toEqual(["a", "b", "c"]);
    expect(data(parseAll([bytesOf("data: a\r"), bytesOf("\n\r"), bytesOf("\n")]))).toEqual(["a"]);
  });

  it("dispatches a last event that lacks its blank line at the end", () => {
    expect(data(parseAll([bytesOf("data: [DONE]")]))).toEqual(["[DONE]"]);
  });

  it("strips exactly one space after the colon", () => {
    expect(data(parseAll([bytesOf("data:  two spaces\n\n")]))).toEqual([" two spaces"]);
  });

  it("ignores an event with no data lines", () => {
    expect(data(parseAll([bytesOf("event: x\n\n")]))).toEqual([]);
  });
});

describe("readSse", () => {
  it("reads a ReadableStream cut mid-line", async () => {
    const bytes = bytesOf('data: {"x":"é"}\n\n: ping\n\ndata: [DONE]\n\n');
    const items: SseItem[] = [];
    for await (const item of readSse(streamOf(cut(bytes, [3, 9, 1, 1, 4])))) items.push(item);
    expect(items.map((i) => i.kind)).toEqual(["event", "comment", "event"]);
    expect(data(items)).toEqual(['{"x":"é"}', "[DONE]"]);
  });
});
