import { describe, expect, it } from "vitest";
import { formatDuration, formatWhen } from "./format";

describe("formatDuration", () => {
  it("uses tenths under ten seconds, whole seconds under a minute, then minutes", () => {
    expect(formatDuration(840)).toBe("0.8 s");
    expect(formatDuration(9_949)).toBe("9.9 s");
    expect(formatDuration(12_400)).toBe("12 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(120_000)).toBe("2 min");
    expect(formatDuration(-5)).toBe("0.0 s");
  });
});

describe("formatWhen", () => {
  it("shows only the time for today, and the date for older messages", () => {
    const now = new Date(2025, 5, 10, 15, 0).getTime();
    const today = new Date(2025, 5, 10, 9, 30).getTime();
    const before = new Date(2025, 5, 2, 9, 30).getTime();
    expect(formatWhen(today, now)).not.toMatch(/Jun/);
    expect(formatWhen(before, now)).toMatch(/Jun/);
  });
});
