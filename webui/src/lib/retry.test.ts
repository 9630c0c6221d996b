import { describe, expect, it } from "vitest";
import { RETRY_CAP_MS, retryDelayMs } from "./retry";

describe("retryDelayMs", () => {
  it("honours Retry-After, within the cap", () => {
    expect(retryDelayMs(1, 2)).toBe(2000);
    expect(retryDelayMs(3, 120)).toBe(RETRY_CAP_MS);
  });

  it("backs off exponentially without Retry-After, up to the cap", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, null))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(10, null)).toBe(RETRY_CAP_MS);
  });
});
