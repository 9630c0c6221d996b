import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { importChats } from "./backup";
import { assistantMessages, chatButton, expect, openApp, send, test, waitForReply } from "./fixtures";
import { mockReplyText } from "./mock";

async function violations(page: Page, bestPractice = false): Promise<string[]> {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", ...(bestPractice ? ["best-practice"] : [])];
  const results = await new AxeBuilder({ page }).withTags(tags).analyze();
  return results.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? "?"}): ${v.nodes
        .map((n) => n.target.join(" "))
        .slice(0, 3)
        .join(", ")}`,
  );
}

for (const scheme of ["light", "dark"] as const) {
  test(`no axe violations in the ${scheme} theme (chat, picker, settings)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openApp(page);
    await page.getByRole("button", { name: /Change model/ }).click();
    await expect(page.getByRole("listbox", { name: "Models" })).toBeVisible();
    expect(await violations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await send(page, "Accessibility check `code` [fake: words=20 reasoning=1 citations=1]");
    await waitForReply(page);
    expect(await violations(page)).toEqual([]);
    await page.getByRole("button", { name: "Settings" }).click();
    await expect(page.getByRole("dialog", { name: "Settings" })).toBeVisible();
    expect(await violations(page)).toEqual([]);
  });
}

test("every control can be reached with the keyboard and has a name", async ({ page }) => {
  await openApp(page);
  const names = new Set<string>();
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    const name = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return "";
      const label = el.getAttribute("aria-label") ?? (el as HTMLElement).innerText ?? "";
      const labelled = el.id ? (document.querySelector(`label[for="${el.id}"]`)?.textContent ?? "") : "";
      return `${el.tagName.toLowerCase()}:${(label || labelled).trim().slice(0, 80)}`;
    });
    names.add(name);
  }
  const list = [...names];
  expect(list.every((n) => !n.endsWith(":"))).toBe(true); // nothing focusable without a name
  for (const expected of [
    "New chat",
    "Search chats",
    "Settings",
    "Change model",
    "Message",
    "Attach images",
  ]) {
    expect(
      list.some((n) => n.includes(expected)),
      `${expected} reachable in ${list.join(", ")}`,
    ).toBe(true);
  }
});

const RICH = [
  "# Plan",
  "",
  "### Steps",
  "",
  "- [x] done",
  "- [ ] open",
  "",
  "```python",
  `print("${"x".repeat(200)}")`,
  "```",
  "",
  `| wide | table |\n|---|---|\n| ${"y".repeat(200)} | 1 |`,
  "",
  "$$",
  Array.from({ length: 60 }, (_, i) => `x_{${i}}`).join(" + "),
  "$$",
].join("\n");

test("replies: labelled task boxes without bullets, focusable code, tables and math, heading order", async ({
  page,
}) => {
  await openApp(page);
  await mockReplyText(page, RICH);
  await send(page, "rich");
  await waitForReply(page);
  const reply = assistantMessages(page).first();
  await expect(reply.getByRole("checkbox", { name: "Done:" })).toBeChecked();
  await expect(reply.getByRole("checkbox", { name: "To do:" })).not.toBeChecked();
  const item = reply.locator("li.task-list-item").first();
  expect(await item.evaluate((li) => getComputedStyle(li).listStyleType)).toBe("none");
  const code = reply.getByRole("region", { name: "Code (python)" });
  await code.focus();
  await expect(code).toBeFocused();
  await expect(reply.getByRole("region", { name: "Table" })).toHaveAttribute("tabindex", "0");
  const math = reply.getByRole("region", { name: "Math" });
  await math.focus();
  await expect(math).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => math.evaluate((box) => box.scrollLeft)).toBeGreaterThan(0);
  // "# Plan" sits under the page's own headings (h1 chat, h2 messages).
  await expect(reply.getByRole("heading", { name: "Plan", level: 3 })).toBeVisible();
  await expect(reply.getByRole("heading", { name: "Steps", level: 4 })).toBeVisible();
  expect(await violations(page, true)).toEqual([]);
});

test("the chat list is one Tab stop; arrows move through it and open a chat's actions", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "Settings" }).click();
  await importChats(page.getByRole("dialog", { name: "Settings" }), 3);
  await expect(page.getByRole("status").getByText("Imported 3 chats")).toBeVisible();
  await page.keyboard.press("Escape");
  const aside = page.getByRole("complementary", { name: "Chat list" });
  const sidebar = aside.getByRole("navigation", { name: "Chats" });
  await aside.getByRole("searchbox", { name: "Search chats" }).focus();
  await page.keyboard.press("Tab");
  await expect(chatButton(sidebar, "New chat")).toBeFocused(); // the open chat
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Settings" })).toBeFocused(); // 4 chats, one stop
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("ArrowDown");
  await expect(chatButton(sidebar, "Imported chat 3")).toBeFocused();
  await page.keyboard.press("ArrowRight");
  const menu = page.getByRole("menu", { name: "Actions for “Imported chat 3”" });
  await expect(menu.getByRole("menuitem", { name: "Rename" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitem", { name: "Pin" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
  await expect(chatButton(sidebar, "Imported chat 3")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("h1")).toHaveText("Imported chat 3");
});

test("a skip link leads from the top of the page to the message box", async ({ page }) => {
  await openApp(page);
  // Focus at the very start of the page (as when arriving from the address bar).
  await page.evaluate(() => {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute("tabindex");
  });
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to message box" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("textbox", { name: "Message" })).toBeFocused();
});
