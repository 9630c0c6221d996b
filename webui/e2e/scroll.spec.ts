import { expect, openApp, send, shot, test } from "./fixtures";

test("auto-scroll follows the reply, pauses when the user scrolls up, and Jump to latest resumes", async ({
  page,
}) => {
  await openApp(page);
  await send(page, "Scroll test [fake: words=900 delay_ms=12]");
  const scroller = page.getByTestId("message-scroller");
  const metrics = () =>
    scroller.evaluate((el) => ({
      top: el.scrollTop,
      height: el.scrollHeight,
      gap: el.scrollHeight - el.scrollTop - el.clientHeight,
    }));
  await expect.poll(async () => (await metrics()).height, { timeout: 20_000 }).toBeGreaterThan(1400);
  expect((await metrics()).gap).toBeLessThan(80); // following the reply

  const box = await scroller.boundingBox();
  await page.mouse.move((box?.x ?? 0) + 200, (box?.y ?? 0) + 200);
  await page.mouse.wheel(0, -500);
  const jump = page.getByRole("button", { name: "Jump to latest" });
  await expect(jump).toBeVisible();
  const paused = await metrics();
  await page.waitForTimeout(800);
  const later = await metrics();
  expect(later.height).toBeGreaterThan(paused.height); // the reply kept growing...
  expect(Math.abs(later.top - paused.top)).toBeLessThan(3); // ...while the view stayed put
  await shot(page, "20-jump-to-latest");

  await jump.click();
  await expect(jump).toHaveCount(0);
  await page.waitForTimeout(400);
  expect((await metrics()).gap).toBeLessThan(80); // following again
});
