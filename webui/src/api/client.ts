/**
 * The HTTP client: `GET /v1/models`, `POST /v1/chat/completions` (streaming or not) and
 * `POST /v1/images/content` (an image's bytes, fetched by the server).
 */

import { parseChunk, parseCompletion, parseErrorBody, parseModels } from "./parse";
import { readSse } from "./sse";
import type { ApiErrorBody, ApiModel, ChatRequest, ReplyUpdate } from "./types";

/** An error answered by the API (HTTP status, or an error event inside a stream). */
export class ApiError extends Error {
  readonly status: number | null;
  readonly type: string | null;
  readonly code: string | null;
  readonly retryAfter: number | null;

  constructor(body: ApiErrorBody, status: number | null, retryAfter: number | null = null) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.type = body.type;
    this.code = body.code;
    this.retryAfter = retryAfter;
  }

  /** The server wants an API key (missing or wrong). */
  get isAuth(): boolean {
    return this.status === 401 || this.code === "invalid_api_key";
  }
}

export interface RequestOptions {
  apiKey: string;
  signal?: AbortSignal;
  /** Prefix for the API's routes; the page and the API share an origin, so it is empty. */
  baseUrl?: string;
}

export function headers(apiKey: string, json: boolean): Headers {
  const h = new Headers({ Accept: json ? "application/json" : "text/event-stream" });
  if (json) h.set("Content-Type", "application/json");
  const key = apiKey.trim();
  if (key) h.set("Authorization", `Bearer ${key}`);
  return h;
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let body: ApiErrorBody | undefined;
  try {
    body = parseErrorBody(JSON.parse(text));
  } catch {
    body = undefined;
  }
  const retry = Number(response.headers.get("Retry-After"));
  const message = body?.message || text.trim().slice(0, 300) || `HTTP ${response.status}`;
  return new ApiError(
    { message, type: body?.type ?? null, code: body?.code ?? null, param: body?.param ?? null },
    response.status,
    Number.isFinite(retry) && retry > 0 ? retry : null,
  );
}

export async function listModels(options: RequestOptions): Promise<ApiModel[]> {
  const response = await fetch(`${options.baseUrl ?? ""}/v1/models`, {
    headers: headers(options.apiKey, false),
    signal: options.signal,
  });
  if (!response.ok) throw await errorFromResponse(response);
  return parseModels(await response.json());
}

/** The bytes of an image by URL, fetched by the server: the page may not read the image's host. */
export async function fetchImageContent(url: string, options: RequestOptions): Promise<Blob> {
  const h = headers(options.apiKey, true);
  h.set("Accept", "image/*");
  const response = await fetch(`${options.baseUrl ?? ""}/v1/images/content`, {
    method: "POST",
    headers: h,
    body: JSON.stringify({ url }),
    signal: options.signal,
  });
  if (!response.ok) throw await errorFromResponse(response);
  return response.blob();
}

async function post(request: ChatRequest, options: RequestOptions): Promise<Response> {
  const h = headers(options.apiKey, true);
  if (request.stream) h.set("Accept", "text/event-stream");
  const response = await fetch(`${options.baseUrl ?? ""}/v1/chat/completions`, {
    method: "POST",
    headers: h,
    body: JSON.stringify(request),
    signal: options.signal,
  });
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

/**
 * Streams a reply, calling `onUpdate` for every chunk. Resolves at `data: [DONE]` (or when the
 * server closes); rejects with `ApiError` on an HTTP error or a mid-stream error event (updates
 * already delivered stand), and with the abort reason when `signal` fires.
 */
export async function streamCompletion(
  request: ChatRequest,
  options: RequestOptions,
  onUpdate: (update: ReplyUpdate) => void,
): Promise<void> {
  return streamParsed(request, options, parseChunk, onUpdate);
}

/** One request, one whole reply. */
export async function completeOnce(request: ChatRequest, options: RequestOptions): Promise<ReplyUpdate> {
  return completeParsed(request, options, parseCompletion);
}

/** `streamCompletion` for any reading of the chunks (one reply, or the arena's two). */
export async function streamParsed<U extends { error?: ApiErrorBody }>(
  request: ChatRequest,
  options: RequestOptions,
  parse: (json: unknown) => U,
  onUpdate: (update: U) => void,
): Promise<void> {
  const response = await post({ ...request, stream: true }, options);
  if (!response.body) throw new ApiError(emptyBody(), response.status);
  let failure: ApiError | null = null;
  for await (const item of readSse(response.body)) {
    if (item.kind !== "event") continue;
    if (item.data === "[DONE]") break;
    let json: unknown;
    try {
      json = JSON.parse(item.data);
    } catch {
      continue; // not JSON: not ours to interpret
    }
    const update = parse(json);
    if (update.error) {
      failure = new ApiError(update.error, null);
      continue; // `[DONE]` follows
    }
    onUpdate(update);
  }
  if (failure) throw failure;
}

/** `completeOnce` for any reading of the answer. */
export async function completeParsed<U extends { error?: ApiErrorBody }>(
  request: ChatRequest,
  options: RequestOptions,
  parse: (json: unknown) => U,
): Promise<U> {
  const response = await post({ ...request, stream: false, stream_options: undefined }, options);
  const update = parse(await response.json());
  if (update.error) throw new ApiError(update.error, response.status);
  return update;
}

export function emptyBody(message = "The server sent an empty response."): ApiErrorBody {
  return { message, type: null, code: null, param: null };
}
