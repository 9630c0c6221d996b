import type { Page } from "@playwright/test";
import { assistantMessages, expect, openApp, send, test, uniqueTag, waitForReply } from "./fixtures";

function prompts(page: Page) {
  return page.getByRole("article", { name: "Your message" });
}

async function promptTexts(page: Page): Promise<string[]> {
  return (await prompts(page).allInnerTexts()).map((t) => t.trim());
}

test("two tabs writing one chat keep every message, in order, live and after a reload", async ({ page }) => {
  const tag = uniqueTag();
  await openApp(page);
  await send(page, `first from A ${tag}`);
  await waitForReply(page);

  // A second tab of the same browser opens the same (most recent) chat.
  const other = await page.context().newPage();
  await openApp(other);
  await expect(prompts(other)).toHaveCount(1);

  // A writes: B shows it without a reload.
  await send(page, `second from A ${tag}`);
  await waitForReply(page);
  await expect(prompts(other)).toHaveCount(2);
  await expect(assistantMessages(other).last()).toContainText(`You said: “second from A ${tag}”`);

  // B writes next: A shows it, after its own messages.
  await send(other, `third from B ${tag}`);
  await waitForReply(other);
  await expect(prompts(page)).toHaveCount(3);
  await expect(assistantMessages(page)).toHaveCount(3);

  const expected = [`first from A ${tag}`, `second from A ${tag}`, `third from B ${tag}`];
  expect(await promptTexts(page)).toEqual(expected);
  expect(await promptTexts(other)).toEqual(expected);
  // The stored order (positions given by the database) is the same.
  await page.reload();
  await expect(prompts(page)).toHaveCount(3);
  expect(await promptTexts(page)).toEqual(expected);
  await expect(assistantMessages(page).last()).toContainText(`You said: “third from B ${tag}”`);
  await other.close();
});

test("a reply streaming in one tab is not marked stopped when another tab opens", async ({ page }) => {
  await openApp(page);
  await send(page, `long one ${uniqueTag()} [fake: words=300 delay_ms=20]`);
  await expect(assistantMessages(page).first()).toContainText("The answer keeps going");
  const other = await page.context().newPage();
  await openApp(other);
  await expect(assistantMessages(other)).toHaveCount(1);
  await waitForReply(page);
  await expect(assistantMessages(page).first().getByText("Stopped")).toHaveCount(0);
  // The other tab got the finished reply too.
  await expect(assistantMessages(other).first().locator('[data-testid="reply-timing"]')).toBeAttached();
  await expect(assistantMessages(other).first().getByText("Stopped")).toHaveCount(0);
  await other.close();
});
