/** Wire types of the HTTP API (docs/API.md). Everything arriving is checked in `parse.ts`. */

export interface ModelCapabilities {
  textOutput: boolean;
  vision: boolean;
  imageOutput: boolean;
  multipleImages: boolean;
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

export type ContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string } };

export interface ChatRequest {
  model: string;
  messages: [{ role: "user"; content: string | ContentPart[] }];
  stream: boolean;
  stream_options?: { include_usage: boolean };
  conversation?: { evaluationSessionId: string };
}

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
  images?: string[];
  citations?: Citation[];
  usage?: Usage;
  error?: ApiErrorBody;
}
