/**
 * The arena: a compare chat (two chosen models side by side) and a battle (anonymous models, a
 * vote reveals them), against the fake site. With SCREENSHOTS=1 the finished compare turn is
 * saved to docs/screenshots/ (desktop 1280x800, phone 390x844).
 */

import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chatButton, copiedSessionId, expect, openApp, test, uniqueTag } from "./fixtures";

const docsShots = resolve(dirname(fileURLToPath(import.meta.url)), "../../docs/screenshots");

async function docShot(page: Page, name: string): Promise<void> {
  if (!process.env.SCREENSHOTS) return;
  mkdirSync(docsShots, { recursive: true });
  await page.screenshot({ path: resolve(docsShots, `${name}.png`) });
}

const MODEL_A = "gemini-3-pro";
const MODEL_B = "deepseek-v3.2";

/** Starts a compare chat with MODEL_A and MODEL_B (the buttons live in the sidebar or drawer). */
async function startCompare(page: Page): Promise<void> {
  await page.getByRole("button", { name: "New compare chat" }).click();
  await expect(page.getByTestId("arena-view")).toBeVisible();
  await page.getByRole("combobox", { name: "Model A" }).selectOption(MODEL_A);
  await page.getByRole("combobox", { name: "Model B" }).selectOption(MODEL_B);
  await expect(page.getByRole("combobox", { name: "Model A" })).toHaveValue(MODEL_A);
  await expect(page.getByRole("combobox", { name: "Model B" })).toHaveValue(MODEL_B);
}

async function sendPrompt(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send message" }).click();
}

function column(page: Page, side: "a" | "b"): Locator {
  return page.getByTestId(`arena-reply-${side}`).last();
}

async function waitForTurn(page: Page): Promise<void> {
  await expect(page.getByRole("button", { name: "Stop generating" })).toHaveCount(0);
  await expect(page.locator('article[aria-busy="true"]')).toHaveCount(0);
}

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await locator.boundingBox();
  if (!b) throw new Error("not visible");
  return b;
}

test("compare: two models stream side by side, and the chat continues after a reload", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openApp(page);
  // The battle is a mode, not a model to pick.
  await page.getByRole("button", { name: /Change model/ }).click();
  await expect(page.getByRole("option", { name: /^gemini-3-pro/ })).toBeVisible();
  await expect(page.getByRole("option", { name: /^battle/ })).toHaveCount(0);
  await page.keyboard.press("Escape");

  await startCompare(page);
  const tag = uniqueTag();
  const title = "Explain recursion in two sentences.";
  await sendPrompt(page, title);
  await waitForTurn(page);
  await expect(column(page, "a")).toContainText(`Turn 1 of this session, answered by ${MODEL_A}`);
  await expect(column(page, "b")).toContainText(`Turn 1 of this session, answered by ${MODEL_B}`);
  await expect(page.getByTestId("arena-column-a")).toContainText(MODEL_A);
  await expect(page.getByTestId("arena-column-b")).toContainText(MODEL_B);
  await expect(page.getByRole("region", { name: `Model A: ${MODEL_A}` })).toBeVisible();
  await expect(page.getByRole("region", { name: `Model B: ${MODEL_B}` })).toBeVisible();
  // Two columns: side by side, same top.
  const a = await box(column(page, "a"));
  const b = await box(column(page, "b"));
  expect(b.x).toBeGreaterThanOrEqual(a.x + a.width - 1);
  expect(Math.abs(a.y - b.y)).toBeLessThan(2);
  await expect(page.getByTestId("vote-bar")).toBeVisible();
  // The models are fixed once the chat has begun.
  await expect(page.getByRole("combobox", { name: "Model A" })).toHaveCount(0);
  await docShot(page, "compare-desktop");

  // Both columns stream at once; Esc stops both.
  await sendPrompt(page, `Long ${tag} [fake: words=400 delay_ms=25]`);
  await expect(column(page, "a")).toContainText("The answer keeps going");
  await expect(column(page, "b")).toContainText("The answer keeps going");
  await expect(page.locator('article[aria-busy="true"]')).toHaveCount(2);
  await page.keyboard.press("Escape");
  await expect(column(page, "a").getByText("Stopped")).toBeVisible();
  await expect(column(page, "b").getByText("Stopped")).toBeVisible();
  await waitForTurn(page);
  await expect(page.getByTestId("vote-bar")).toHaveCount(0); // a stopped turn is not judged

  // Stored like any chat: listed with its badge, reopened with both columns.
  const item = page.getByTestId("chat-item").filter({ hasText: title.slice(0, 20) });
  await expect(item.getByTestId("arena-badge")).toHaveText("Compare");
  await page.reload();
  await expect(page.getByTestId("arena-view")).toBeVisible();
  await expect(page.getByTestId("arena-turn")).toHaveCount(2);
  await expect(page.getByTestId("arena-reply-b").first()).toContainText(`answered by ${MODEL_B}`);
  // Continuing sends the prompt alone with the chat's session: the site counts a third turn.
  const next = page.waitForRequest("**/v1/chat/completions");
  await sendPrompt(page, `Third ${tag}`);
  const body = (await next).postDataJSON() as {
    model: string;
    arena: unknown;
    messages: unknown[];
    conversation?: { evaluationSessionId?: string };
  };
  expect(body.model).toBe(MODEL_A);
  expect(body.arena).toEqual({ mode: "side-by-side", model_b: MODEL_B });
  expect(body.messages).toEqual([{ role: "user", content: `Third ${tag}` }]);
  expect(body.conversation?.evaluationSessionId).toBe(await copiedSessionId(page));
  await waitForTurn(page);
  await expect(column(page, "a")).toContainText(`Turn 3 of this session, answered by ${MODEL_A}`);
  await expect(column(page, "b")).toContainText(`Turn 3 of this session, answered by ${MODEL_B}`);

  // A new plain chat from here is a normal chat again.
  await page.getByRole("button", { name: "New chat", exact: true }).click();
  await expect(page.getByTestId("chat-view")).toBeVisible();
  await expect(page.getByTestId("current-model")).not.toHaveText(/battle|Choose a model/);
  await chatButton(page, title.slice(0, 20)).click();
  await expect(page.getByTestId("arena-view")).toBeVisible();
});

test("battle: hidden names, the vote reveals them, a second vote is refused", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "New battle chat" }).click();
  await expect(page.getByTestId("arena-view")).toBeVisible();
  await sendPrompt(page, `Battle ${uniqueTag()}`);
  await waitForTurn(page);
  await expect(column(page, "a")).toContainText("answered by an anonymous model");
  await expect(column(page, "b")).toContainText("answered by an anonymous model");
  await expect(page.getByTestId("arena-column-a")).toContainText("Model A");
  await expect(page.getByTestId("arena-column-a")).toContainText("hidden");
  await expect(page.getByTestId("arena-column-b")).toContainText("hidden");

  const bar = page.getByRole("group", { name: "Vote: which answer is better?" });
  await bar.getByRole("button", { name: "B is better" }).click();
  const verdict = page.getByTestId("vote-verdict");
  await expect(verdict).toContainText("You voted Model B");
  await expect(verdict).toContainText("Revealed: Model A is");
  await expect(verdict).toBeFocused();
  await expect(page.getByTestId("arena-column-a")).not.toContainText("hidden");
  const revealed = /Model A is (.+), Model B is (.+)\.$/.exec((await verdict.innerText()).trim());
  const [nameA = "", nameB = ""] = revealed?.slice(1) ?? [];
  expect(nameA).not.toBe("");
  await expect(page.getByTestId("arena-column-a")).toContainText(nameA);
  await expect(page.getByTestId("arena-column-b")).toContainText(nameB);
  await expect(column(page, "b").getByRole("heading", { name: `Model B: ${nameB}` })).toBeVisible();
  // After the vote the buttons stay, disabled, the chosen one pressed.
  for (const name of ["A is better", "B is better", "Tie", "Both are bad"]) {
    await expect(bar.getByRole("button", { name })).toBeDisabled();
  }
  await expect(bar.getByRole("button", { name: "B is better" })).toHaveAttribute("aria-pressed", "true");

  // The server refuses a second vote on the chat.
  const sessionId = await copiedSessionId(page);
  const again = await page.request.post("/v1/arena/votes", {
    data: { evaluationSessionId: sessionId, winner: "a" },
  });
  expect(again.status()).toBe(409);
  expect(((await again.json()) as { error: { code: string } }).error.code).toBe("already_voted");

  // The reveal is stored with the chat.
  await page.reload();
  await expect(page.getByTestId("vote-verdict")).toContainText(nameA);
  await expect(page.getByTestId("arena-badge").first()).toHaveText("Battle");
});

test("compare: one side regenerated in place, the other kept, then the turn is judged", async ({ page }) => {
  await openApp(page);
  await startCompare(page);
  await sendPrompt(page, `Regenerate one ${uniqueTag()}`);
  await waitForTurn(page);
  const before = await column(page, "a").getByRole("article").innerText();
  await expect(column(page, "b")).not.toContainText("(take 2)");

  await column(page, "b").getByRole("button", { name: "Regenerate reply" }).click();
  await waitForTurn(page);
  await expect(column(page, "b")).toContainText(`answered by ${MODEL_B} (take 2)`);
  expect(await column(page, "a").getByRole("article").innerText()).toBe(before);
  await expect(page.getByTestId("arena-turn")).toHaveCount(1);

  // Kept after a reload; the vote judges the regenerated turn, and ends regenerating.
  await page.reload();
  await expect(column(page, "b")).toContainText("(take 2)");
  const bar = page.getByRole("group", { name: "Vote: which answer is better?" });
  await bar.getByRole("button", { name: "B is better" }).click();
  await expect(page.getByTestId("vote-verdict")).toContainText("You voted Model B");
  await expect(page.getByRole("button", { name: "Regenerate reply" })).toHaveCount(0);
});

test("a vote the server refuses is explained in plain words", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "New battle chat" }).click();
  await sendPrompt(page, `Voted elsewhere ${uniqueTag()}`);
  await waitForTurn(page);
  // Someone votes on this chat first (another client of the same server).
  const sessionId = await copiedSessionId(page);
  const first = await page.request.post("/v1/arena/votes", {
    data: { evaluationSessionId: sessionId, winner: "tie" },
  });
  expect(first.ok()).toBe(true);
  const bar = page.getByRole("group", { name: "Vote: which answer is better?" });
  await bar.getByRole("button", { name: "A is better" }).click();
  await expect(page.getByTestId("vote-error")).toHaveText(/already been voted on/);
  await expect(bar.getByRole("button", { name: "Tie" })).toBeDisabled();
  await expect(page.getByTestId("arena-column-a")).toContainText("hidden");
});

test("phone: the columns are stacked, each labelled A or B", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page);
  await page.getByRole("button", { name: "Open chat list" }).click();
  await startCompare(page);
  await expect(page.getByRole("button", { name: "Close chat list" })).toHaveCount(0);
  await sendPrompt(page, "Explain recursion in two sentences.");
  await waitForTurn(page);
  const a = await box(column(page, "a"));
  const b = await box(column(page, "b"));
  expect(b.y).toBeGreaterThanOrEqual(a.y + a.height - 1);
  expect(Math.abs(a.x - b.x)).toBeLessThan(2);
  expect(a.width).toBeGreaterThan(300);
  await expect(column(page, "a").getByRole("heading", { name: `Model A: ${MODEL_A}` })).toBeVisible();
  await expect(column(page, "b").getByRole("heading", { name: `Model B: ${MODEL_B}` })).toBeVisible();
  // Nothing wider than the screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await docShot(page, "compare-phone");
});

for (const scheme of ["light", "dark"] as const) {
  test(`arena: no axe violations in the ${scheme} theme`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openApp(page);
    const axe = async (): Promise<string[]> =>
      (
        await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze()
      ).violations.map(
        (v) =>
          `${v.id}: ${v.nodes
            .map((n) => n.target.join(" "))
            .slice(0, 3)
            .join(", ")}`,
      );
    await startCompare(page);
    expect(await axe()).toEqual([]);
    await page.getByRole("button", { name: "New battle chat" }).click();
    await sendPrompt(page, `Axe ${uniqueTag()} [fake: words=20 reasoning=1]`);
    await waitForTurn(page);
    expect(await axe()).toEqual([]);
    await page.getByRole("button", { name: "Tie" }).click();
    await expect(page.getByTestId("vote-verdict")).toContainText("You voted a tie.");
    expect(await axe()).toEqual([]);
  });
}
