import { describe, expect, it } from "vitest";
import { headingLevels } from "./headings";

describe("headingLevels", () => {
  it("maps the levels a reply uses onto h3 and below, in order", () => {
    const map = headingLevels("## Results\n\ntext\n\n#### Detail\n");
    expect(map[2]).toBe(3);
    expect(map[4]).toBe(4);
  });

  it("starts an h1 at h3 and caps at h6", () => {
    const map = headingLevels("# A\n## B\n### C\n#### D\n##### E");
    expect([map[1], map[2], map[3], map[4], map[5]]).toEqual([3, 4, 5, 6, 6]);
  });

  it("ignores # lines inside fenced code", () => {
    const map = headingLevels("```sh\n# a comment\n```\n### Only");
    expect(map[3]).toBe(3);
  });

  it("counts setext headings", () => {
    expect(headingLevels("Title\n=====\n\nSub\n---\n")).toMatchObject({ 1: 3, 2: 4 });
  });
});
