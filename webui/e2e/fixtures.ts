/** Shared helpers: the server's URL, app navigation, sending prompts, screenshots. */

import { expect, test as base, type Locator, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const shotsDir = resolve(dirname(fileURLToPath(import.meta.url)), "../e2e-screenshots");
mkdirSync(shotsDir, { recursive: true });

export const test = base.extend({
  // The server's URL is known only once global setup has picked a port.
  baseURL: async ({ baseURL: _configured }, provide) => {
    void _configured;
    const url = process.env.E2E_BASE_URL;
    if (!url) throw new Error("E2E_BASE_URL is not set (global setup did not run?)");
    await provide(url);
  },
});

export { expect };

/** Opens the app and waits until a chat is ready and the models have loaded. */
export async function openApp(page: Page): Promise<void> {
  await page.goto("/ui/");
  await expect(page.getByRole("textbox", { name: "Message" })).toBeVisible();
  await expect(page.getByTestId("current-model")).not.toHaveText(/Choose a model/);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A chat's open button in the sidebar (its name starts with the chat's title). */
export function chatButton(scope: Page | Locator, title: string): Locator {
  return scope.getByRole("button", { name: new RegExp(`^${escapeRegExp(title)}`) });
}

export async function chooseModel(page: Page, model: string): Promise<void> {
  await page.getByRole("button", { name: /Change model/ }).click();
  await page.getByRole("combobox", { name: "Filter models" }).fill(model);
  await page
    .getByRole("option", { name: new RegExp(`^${escapeRegExp(model)}`) })
    .first()
    .click();
  await expect(page.getByTestId("current-model")).toHaveText(model);
}

/** Types a prompt, sends it with the Send button, and waits for the reply to begin. */
export async function send(page: Page, text: string): Promise<void> {
  const before = await assistantMessages(page).count();
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send message" }).click();
  await expect(assistantMessages(page)).toHaveCount(before + 1);
}

export function assistantMessages(page: Page) {
  return page.getByRole("article", { name: "Assistant message" });
}

/** Waits for the last reply to finish (no reply busy, Send back). */
export async function waitForReply(page: Page): Promise<void> {
  await expect(page.getByRole("button", { name: "Stop generating" })).toHaveCount(0);
  await expect(page.locator('article[aria-busy="true"]')).toHaveCount(0);
}

/**
 * A word that makes a test's prompts its own. The server maps whole histories onto sessions by
 * their content, shared by every client without an API key, and the fake site answers the same
 * prompt with the same words: two runs of a test with equal prompts would share sessions.
 */
export function uniqueTag(): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** The chat's session id, through its "Copy session ID" button. */
export async function copiedSessionId(page: Page): Promise<string> {
  // The chat header's button (it reads "Copied" for a moment after each copy).
  await page
    .locator("header")
    .getByRole("button", { name: /^(Copy session ID|Copied)$/ })
    .click();
  return page.evaluate(() => navigator.clipboard.readText());
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(shotsDir, `${name}.png`) });
}
