import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { looksTechnical, toMessageError } from "./errors";

const api = (
  message: string,
  status: number | null,
  code: string | null = null,
  type: string | null = null,
) => new ApiError({ message, type, code, param: null }, status);

describe("toMessageError", () => {
  it("puts internals behind details and says what happened in plain words", () => {
    const e = toMessageError(api("<TransferEncodingError: 400, message='Not enough data'>", null));
    expect(e.message).toBe("LMArena could not finish this reply. Try again.");
    expect(e.detail).toContain("TransferEncodingError");
    const site = toMessageError(api('the site answered 422: {"detail":"bad"}', 502));
    expect(site.message).toMatch(/busy or still starting/);
    expect(site.detail).toContain("422");
    const rejected = toMessageError(api("the site answered 422: invalid", 400));
    expect(rejected.message).toBe("LMArena did not accept this request.");
  });

  it("keeps a plain server message as it is", () => {
    const e = toMessageError(api("deepseek-v3.2 does not accept images", 400));
    expect(e.message).toBe("deepseek-v3.2 does not accept images");
    expect(e.detail).toBe("deepseek-v3.2 does not accept images (HTTP 400)");
  });

  it("names the API key and rate limits", () => {
    expect(toMessageError(api("Invalid API key", 401, "invalid_api_key"))).toMatchObject({
      auth: true,
      message: "This server needs an API key. Set it in Settings.",
      detail: "Invalid API key (HTTP 401, invalid_api_key)",
    });
    expect(toMessageError(api("Rate limit reached", 429)).message).toMatch(/^Too many requests/);
  });

  it("says the server is unreachable on a network error", () => {
    expect(toMessageError(new TypeError("Failed to fetch"))).toMatchObject({
      message: "Could not reach the server. Is it running?",
      detail: "Failed to fetch",
    });
  });
});

describe("looksTechnical", () => {
  it("spots exception names, status dumps and JSON", () => {
    expect(looksTechnical("<ClientConnectorError: x>")).toBe(true);
    expect(looksTechnical("ValueError: bad")).toBe(true);
    expect(looksTechnical("the site answered 422: nope")).toBe(true);
    expect(looksTechnical('{"error": 1}')).toBe(true);
    expect(looksTechnical("The model is overloaded, try another one.")).toBe(false);
  });
});
