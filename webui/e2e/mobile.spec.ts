import { devices } from "@playwright/test";
import { assistantMessages, chatButton, expect, openApp, send, shot, test, waitForReply } from "./fixtures";

const { defaultBrowserType: _browser, ...pixel } = devices["Pixel 7"];
void _browser;
test.use({ ...pixel });

test("phone width: the chat list is a drawer and chatting works", async ({ page }) => {
  await openApp(page);
  await expect(page.getByRole("complementary", { name: "Chat list" })).toHaveCount(0);
  await send(page, "Hello from a phone [fake: words=80]");
  await waitForReply(page);
  await expect(assistantMessages(page).first()).toContainText("Hello from a phone");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(page.viewportSize()?.width ?? 0); // no sideways scrolling
  await shot(page, "13-phone-chat");

  await page.getByRole("button", { name: "Open chat list" }).click();
  const drawer = page.getByRole("dialog", { name: "Chats" });
  await expect(drawer).toBeVisible();
  await expect(chatButton(drawer, "Hello from a phone")).toBeVisible();
  await shot(page, "14-phone-drawer");
  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Open chat list" })).toBeFocused();

  await page.getByRole("button", { name: "New chat" }).click();
  await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
  await page.getByRole("button", { name: "Open chat list" }).click();
  await chatButton(drawer, "Hello from a phone").click();
  await expect(drawer).toHaveCount(0);
  await expect(assistantMessages(page).first()).toContainText("Hello from a phone");
});
