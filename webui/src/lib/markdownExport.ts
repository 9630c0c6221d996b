/** One chat as a Markdown document. */

import type { Chat, Message } from "../types";

function quote(text: string): string {
  return text
    .split("\n")
    .map((l) => `> ${l}`.trimEnd())
    .join("\n");
}

export function chatToMarkdown(chat: Chat, messages: readonly Message[]): string {
  const parts: string[] = [`# ${chat.title}`, ""];
  const meta = [`Model: ${chat.model ?? "none"}`];
  if (chat.evaluationSessionId) meta.push(`Session: \`${chat.evaluationSessionId}\``);
  parts.push(meta.join(" · "), "");
  for (const m of messages) {
    if (m.role === "user") {
      parts.push("## User", "", m.content);
      const count = m.images?.length ?? 0;
      if (count) parts.push("", `*(${count} image${count > 1 ? "s" : ""} attached)*`);
    } else {
      parts.push(`## Assistant${m.model ? ` (${m.model})` : ""}`, "");
      if (m.reasoning)
        parts.push("<details><summary>Reasoning</summary>", "", m.reasoning, "", "</details>", "");
      parts.push(m.content);
      for (const [i, url] of (m.images ?? []).entries()) {
        parts.push(
          "",
          url.startsWith("data:") ? `*(generated image ${i + 1})*` : `![Generated image ${i + 1}](${url})`,
        );
      }
      if (m.citations?.length) {
        parts.push("", "Sources:", ...m.citations.map((c) => `- [${c.title}](${c.url})`));
      }
      if (m.status === "stopped") parts.push("", "*(stopped)*");
      if (m.status === "error" && m.error) parts.push("", quote(`Error: ${m.error.message}`));
    }
    parts.push("");
  }
  return (
    parts
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trimEnd() + "\n"
  );
}

export function fileNameFor(title: string, extension: string): string {
  const base = title
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `${base || "chat"}.${extension}`;
}
