import type { Page } from "@playwright/test";
import { assistantMessages, expect, openApp, send, shot, test, waitForReply } from "./fixtures";
import { chunk, sse } from "./mock";

const RICH = [
  "## Results",
  "",
  "Use `npm run build` inline, then:",
  "",
  "```python",
  "def square(x: int) -> int:",
  "    return x * x",
  "```",
  "",
  "| Model | Score |",
  "|---|---|",
  "| a | 1 |",
  "",
  "Inline math \\(e^{i\\pi} + 1 = 0\\) and a block:",
  "",
  "\\[",
  "\\int_0^1 x^2\\,dx = \\frac{1}{3}",
  "\\]",
  "",
  "- [x] done",
  "- [ ] open",
].join("\n");

const PIXEL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==";

async function mockReply(page: Page, body: string): Promise<void> {
  await page.route("**/v1/chat/completions", (route) =>
    route.fulfill({ status: 200, contentType: "text/event-stream", body }),
  );
}

test("Markdown: code with copy, inline code, tables, task lists, math, images", async ({ page }) => {
  await openApp(page);
  await mockReply(
    page,
    sse([
      chunk({ role: "assistant", content: "" }),
      ...RICH.match(/[\s\S]{1,7}/g)!.map((piece) => chunk({ content: piece })),
      chunk({}, { conversation: { evaluationSessionId: "s-1" }, images: [PIXEL] }, "stop"),
    ]),
  );
  await send(page, "show me everything");
  await waitForReply(page);
  const reply = assistantMessages(page).first();
  await expect(reply.getByRole("heading", { name: "Results" })).toBeVisible();
  // Inline code stays inline: no copy button, inside a paragraph.
  await expect(reply.locator("p code", { hasText: "npm run build" })).toBeVisible();
  // The fenced block is highlighted and has its copy button.
  const block = reply.locator("pre code.language-python");
  await expect(block.locator(".hljs-keyword").first()).toHaveText("def");
  await reply.getByRole("button", { name: "Copy code" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    "def square(x: int) -> int:\n    return x * x",
  );
  await expect(reply.getByRole("table")).toBeVisible();
  await expect(reply.getByRole("checkbox")).toHaveCount(2);
  // \( \) and \[ \] became KaTeX.
  await expect(reply.locator(".katex")).toHaveCount(2);
  await expect(reply.locator(".katex-display")).toHaveCount(1);
  await expect(reply.getByRole("img", { name: "Generated image 1" })).toBeVisible();
  await reply.getByRole("button", { name: "View generated image 1" }).click();
  await expect(page.getByRole("dialog", { name: "Generated image 1" })).toBeVisible();
  await page.keyboard.press("Escape");
  await shot(page, "18-rich-markdown");
});

test("an error mid-stream keeps the partial text and offers Retry", async ({ page }) => {
  await openApp(page);
  await mockReply(
    page,
    sse([
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Partial answer before" }),
      { error: { message: "The site failed (Cloudflare)", type: "upstream_error", param: null, code: null } },
    ]),
  );
  await send(page, "this will break");
  const reply = assistantMessages(page).first();
  await expect(reply.getByRole("alert")).toContainText("The site failed (Cloudflare)");
  await expect(reply).toContainText("Partial answer before");
  await shot(page, "19-error-retry");
  await page.unroute("**/v1/chat/completions");
  await reply.getByRole("button", { name: "Retry" }).click();
  await waitForReply(page);
  await expect(assistantMessages(page)).toHaveCount(1);
  await expect(assistantMessages(page).first()).toContainText("You said: “this will break”");
});

test("HTTP errors show in place, in plain words, the server's words behind Details", async ({ page }) => {
  await openApp(page);
  await page.route("**/v1/chat/completions", (route) =>
    route.fulfill({
      status: 429,
      headers: { "Retry-After": "5" },
      contentType: "application/json",
      body: JSON.stringify({
        error: {
          message: "Rate limit reached",
          type: "rate_limit_error",
          param: null,
          code: "rate_limit_exceeded",
        },
      }),
    }),
  );
  await send(page, "too fast");
  const alert = assistantMessages(page).first().getByRole("alert");
  await expect(alert.getByText("Too many requests right now. Wait a moment, then try again.")).toBeVisible();
  const details = alert.getByText("Rate limit reached (HTTP 429, rate_limit_exceeded)");
  await expect(details).toBeHidden();
  await alert.getByText("Details").click();
  await expect(details).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Message" })).toBeEnabled();
});
