/** Canned chat-completion streams for tests that need exact reply text. */

import type { Page } from "@playwright/test";

export function sse(events: unknown[]): string {
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("") + "data: [DONE]\n\n";
}

export function chunk(
  delta: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  finish: string | null = null,
) {
  return {
    id: "chatcmpl-x",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  };
}

/** Every chat completion answers `text` (streamed in small pieces). */
export async function mockReplyText(page: Page, text: string): Promise<void> {
  const body = sse([
    chunk({ role: "assistant", content: "" }),
    ...(text.match(/[\s\S]{1,9}/g) ?? []).map((piece) => chunk({ content: piece })),
    chunk({}, { conversation: { evaluationSessionId: "s-1" } }, "stop"),
  ]);
  await page.route("**/v1/chat/completions", (route) =>
    route.fulfill({ status: 200, contentType: "text/event-stream", body }),
  );
}
