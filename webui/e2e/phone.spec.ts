import { expect, openApp, test } from "./fixtures";

test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test("phone width: opening the model picker moves nothing and stays on screen", async ({ page }) => {
  await openApp(page);
  const layout = () =>
    page.evaluate(() => {
      const box = (selector: string) => {
        const r = document.querySelector(selector)?.getBoundingClientRect();
        return r ? [Math.round(r.left), Math.round(r.top), Math.round(r.width)] : null;
      };
      const shifted = Array.from(document.querySelectorAll<HTMLElement>("body, body *"))
        .filter((el) => el.scrollLeft !== 0)
        .map((el) => el.tagName);
      return { main: box("main"), header: box("main header"), composer: box("textarea"), shifted };
    });
  const before = await layout();
  await page.getByRole("button", { name: /Change model/ }).click();
  await expect(page.getByRole("listbox", { name: "Models" })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Filter models" })).toBeFocused();
  expect(await layout()).toEqual(before);
  const panel = await page.getByTestId("model-panel").boundingBox();
  expect(panel).not.toBeNull();
  expect(panel?.x ?? -1).toBeGreaterThanOrEqual(0);
  expect((panel?.x ?? 0) + (panel?.width ?? 999)).toBeLessThanOrEqual(390);
  // Moving through the list does not move the page either.
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  expect(await layout()).toEqual(before);
});
