/** Wire types of the HTTP API (docs/API.md). Everything arriving is checked in `parse.ts`. */

export interface ModelCapabilities {
  textOutput: boolean;
  vision: boolean;
  imageOutput: boolean;
  multipleImages: boolean;
  /** Set on the arena's entries (`"battle"`): a mode, not a model to chat with directly. */
  arena?: string;
}

export interface ApiModel {
  id: string;
  ownedBy: string;
  displayName: string;
  capabilities: ModelCapabilities;
}

export interface Citation {
  url: string;
  title: string;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type ContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

/** One message of the conversation sent with every request (docs/API.md: whole histories). */
export type WireMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string | ContentPart[] }
  | { role: "assistant"; content: string };

export interface ChatRequest {
  model: string;
  /**
   * The conversation up to and including the prompt (its last message, from the user), after the
   * chat's system prompt when it has one.
   */
  messages: WireMessage[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
  conversation?: { evaluationSessionId: string };
}

/**
 * How the server mapped a request onto the site's sessions (`conversation.mapping`): `new`,
 * `continued` (history recognised), `regenerated` (the last reply again, no extra turn),
 * `replayed` (a new session carrying the history), `resumed` (the vendor id was sent).
 */
export type Mapping = "resumed" | "continued" | "regenerated" | "new" | "replayed";

export const MAPPINGS: readonly Mapping[] = ["resumed", "continued", "regenerated", "new", "replayed"];

/** The error envelope: `{"error": {"message", "type", "param", "code"}}`. */
export interface ApiErrorBody {
  message: string;
  type: string | null;
  code: string | null;
  param: string | null;
}

/**
 * What one chunk (or one whole non-streaming response) contributes to the reply. Fields are
 * present only when the chunk carried them.
 */
export interface ReplyUpdate {
  content?: string;
  reasoning?: string;
  finishReason?: string;
  sessionId?: string;
  mapping?: Mapping;
  images?: string[];
  citations?: Citation[];
  usage?: Usage;
  error?: ApiErrorBody;
}
