import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, openApp, send, test, waitForReply } from "./fixtures";

async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.map((v) => `${v.id} (${v.impact ?? "?"}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
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
      const labelled = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent ?? "" : "";
      return `${el.tagName.toLowerCase()}:${(label || labelled).trim().slice(0, 80)}`;
    });
    names.add(name);
  }
  const list = [...names];
  expect(list.every((n) => !n.endsWith(":"))).toBe(true); // nothing focusable without a name
  for (const expected of ["New chat", "Search chats", "Settings", "Change model", "Message", "Attach images"]) {
    expect(list.some((n) => n.includes(expected)), `${expected} reachable in ${list.join(", ")}`).toBe(true);
  }
});
