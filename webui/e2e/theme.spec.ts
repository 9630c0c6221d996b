import type { Page } from "@playwright/test";
import { assistantMessages, expect, openApp, send, shot, test, waitForReply } from "./fixtures";

const isDark = (page: Page) => page.evaluate(() => document.documentElement.classList.contains("dark"));

test("theme: system follows the OS live; light and dark override it", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await openApp(page);
  expect(await isDark(page)).toBe(false);
  await page.emulateMedia({ colorScheme: "dark" }); // the OS switches while the page is open
  await expect.poll(() => isDark(page)).toBe(true);

  await send(page, "Dark mode check with `inline code` [fake: words=30 reasoning=1 citations=1]");
  await waitForReply(page);
  await expect(assistantMessages(page).first()).toContainText("inline code");
  await shot(page, "15-dark-chat");

  await page.getByRole("button", { name: "Settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.getByText("Light", { exact: true }).click();
  await expect.poll(() => isDark(page)).toBe(false);
  await page.emulateMedia({ colorScheme: "light" });
  await page.emulateMedia({ colorScheme: "dark" });
  expect(await isDark(page)).toBe(false); // an explicit choice ignores the OS
  await shot(page, "16-light-settings");
  await dialog.getByText("Dark", { exact: true }).click();
  await expect.poll(() => isDark(page)).toBe(true);
  await shot(page, "17-dark-settings");

  // The choice survives a reload and is applied before the first paint.
  await page.emulateMedia({ colorScheme: "light" });
  await page.reload();
  expect(await isDark(page)).toBe(true);
  await page.getByRole("button", { name: "Settings" }).click();
  await dialog.getByText("System", { exact: true }).click();
  await expect.poll(() => isDark(page)).toBe(false);
});
