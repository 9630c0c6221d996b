/** Small runtime checks for data of unknown shape (JSON from the network, imported files). */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function asBoolean(value: unknown): boolean | undefined {
  return typeof value === "boolean" ? value : undefined;
}

/** True for http(s) URLs and for `data:image/…` URIs: the only sources shown as images/links. */
export function isSafeUrl(url: string, allowDataImage = false): boolean {
  if (allowDataImage && /^data:image\/[a-z0-9.+-]+;base64,/i.test(url)) return true;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:";
  } catch {
    return false;
  }
}
