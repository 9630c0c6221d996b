import { writeFileSync } from "node:fs";
import { assistantMessages, expect, openApp, send, test, waitForReply } from "./fixtures";

interface Stats {
  messageListCommits: number;
  liveMessageCommits: number;
  finishedMessageCommits: number;
  deltas: number;
  flushes: number;
}

declare global {
  interface Window {
    __lmarenaRenderStats?: Stats & { reset: () => void };
  }
}

test("a long streamed reply does not cause a re-render storm", async ({ page }, testInfo) => {
  await openApp(page);
  // Some finished messages first, so their (lack of) re-renders is measured too.
  await send(page, "warm-up [fake: words=40]");
  await waitForReply(page);
  await page.evaluate(() => window.__lmarenaRenderStats?.reset());
  const started = Date.now();
  await send(page, "A long one [fake: words=1500 delay_ms=4]");
  await expect(page.getByRole("button", { name: "Stop generating" })).toBeVisible();
  await waitForReply(page);
  const seconds = (Date.now() - started) / 1000;
  await expect(assistantMessages(page).nth(1)).toContainText("You said: “A long one”");
  const stats = (await page.evaluate(() => ({ ...window.__lmarenaRenderStats }))) as Stats;
  const report = { words: 1500, seconds, ...stats };
  testInfo.annotations.push({ type: "render-stats", description: JSON.stringify(report) });
  writeFileSync(testInfo.outputPath("render-stats.json"), JSON.stringify(report, null, 2));
  console.warn(`render stats: ${JSON.stringify(report)}`);

  expect(stats.deltas).toBeGreaterThan(1000); // every word arrived as its own chunk
  expect(stats.flushes).toBeLessThan(stats.deltas / 2); // batched per animation frame
  expect(stats.liveMessageCommits).toBeLessThanOrEqual(stats.flushes + 5);
  expect(stats.messageListCommits).toBeLessThanOrEqual(6); // only when messages are added
  expect(stats.finishedMessageCommits).toBeLessThanOrEqual(8); // finished messages stay put
});
