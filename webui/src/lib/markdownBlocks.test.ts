import { describe, expect, it } from "vitest";
import { splitMarkdownBlocks } from "./markdownBlocks";

describe("splitMarkdownBlocks", () => {
  it("splits at blank lines", () => {
    expect(splitMarkdownBlocks("a\nb\n\nc\n\nd")).toEqual(["a\nb\n", "c\n", "d"]);
  });

  it("never splits inside fenced code or $$ math", () => {
    const text = "```\ncode\n\nmore\n```\n\n$$\nx\n\ny\n$$\n\nend";
    expect(splitMarkdownBlocks(text)).toEqual(["```\ncode\n\nmore\n```\n", "$$\nx\n\ny\n$$\n", "end"]);
  });

  it("keeps indented continuations (loose list items) with their block", () => {
    expect(splitMarkdownBlocks("- a\n\n  more a\n- b")).toEqual(["- a\n\n  more a\n- b"]);
  });

  it("does not split before text has arrived after the blank line", () => {
    expect(splitMarkdownBlocks("para\n\n")).toEqual(["para\n\n"]);
  });

  it("re-joins to the original text", () => {
    const text = "# T\n\nx\n\n```js\nlet a\n\n```\n\n- l\n\n  c\n\nlast";
    expect(splitMarkdownBlocks(text).join("\n")).toBe(text);
  });

  it("gives earlier blocks that do not change as the text grows", () => {
    const full = "one\n\ntwo\n\n```\nthree\n\nfour\n```\n\nfive six";
    let previous: string[] = [];
    for (let i = 1; i <= full.length; i++) {
      const blocks = splitMarkdownBlocks(full.slice(0, i));
      // every block but the last of the previous split stays identical
      expect(blocks.slice(0, Math.max(0, previous.length - 1))).toEqual(previous.slice(0, -1));
      previous = blocks;
    }
  });
});
