/**
 * Regenerate, edit-and-resend and model switch against the real server and the fake site. The
 * WebUI sends whole conversations; the fake's replies say which turn of which session answered
 * ("Turn N of this session"), which take a regenerated reply is ("(take 2)"), and what a
 * carried-over history looks like ("[Conversation so far]"). Prompts carry a tag of their own
 * (`uniqueTag`), so no other test's conversation can be taken for theirs.
 */

import type { Page, Request } from "@playwright/test";
import {
  assistantMessages,
  chooseModel,
  copiedSessionId,
  expect,
  openApp,
  send,
  shot,
  test,
  uniqueTag,
  waitForReply,
} from "./fixtures";

interface Body {
  model: string;
  messages: { role: string; content: unknown }[];
  conversation?: unknown;
}

function bodyOf(request: Request): Body {
  return request.postDataJSON() as Body;
}

function userMessages(page: Page) {
  return page.getByRole("article", { name: "Your message" });
}

async function sendAndWait(page: Page, text: string): Promise<void> {
  await send(page, text);
  await waitForReply(page);
}

test("regenerate replaces the last reply in place with the site's next take, and the chat goes on", async ({
  page,
}) => {
  const tag = uniqueTag();
  const story = `Tell me a story ${tag}`;
  await openApp(page);
  await chooseModel(page, "gemini-3-pro");
  await sendAndWait(page, `Hello ${tag}`);
  await sendAndWait(page, story);
  const last = assistantMessages(page).nth(1);
  await expect(last).toContainText("Turn 2 of this session");
  await expect(last).not.toContainText("(take");
  const session = await copiedSessionId(page);

  // Only the last reply offers it.
  await expect(assistantMessages(page).first().getByRole("button", { name: "Regenerate reply" })).toHaveCount(
    0,
  );
  const request = page.waitForRequest("**/v1/chat/completions");
  await last.hover();
  await last.getByRole("button", { name: "Regenerate reply" }).click();
  const body = bodyOf(await request);
  expect(body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  expect(body.messages[2]?.content).toBe(story);
  expect(body.conversation).toBeUndefined();
  await waitForReply(page);
  await expect(assistantMessages(page)).toHaveCount(2);
  await expect(last).toContainText("Turn 2 of this session, answered by gemini-3-pro (take 2)");
  await expect(last).toContainText(`You said: “${story}”`);
  await expect(page.getByText("continued in a new session")).toHaveCount(0);
  expect(await copiedSessionId(page)).toBe(session);
  await shot(page, "21-regenerated");

  // The regenerated reply is part of the recorded conversation: the next prompt continues it.
  const next = page.waitForRequest("**/v1/chat/completions");
  await sendAndWait(page, `And then? ${tag}`);
  expect(JSON.stringify(bodyOf(await next).messages[3]?.content)).toContain("(take 2)");
  await expect(assistantMessages(page).nth(2)).toContainText("Turn 3 of this session");
  await expect(assistantMessages(page).nth(2)).toContainText(`Previous prompt: “${story}”`);

  // After a reload too, and twice in a row.
  await page.reload();
  const third = assistantMessages(page).nth(2);
  await expect(third).toContainText("Turn 3 of this session");
  for (const take of [2, 3]) {
    await third.hover();
    await third.getByRole("button", { name: "Regenerate reply" }).click();
    await waitForReply(page);
    await expect(third).toContainText(`Turn 3 of this session, answered by gemini-3-pro (take ${take})`);
  }
  await expect(assistantMessages(page)).toHaveCount(3);
});

test("edit and resend: the edited branch replaces later messages and continues in a new session", async ({
  page,
}) => {
  const tag = uniqueTag();
  const fruit = `Name a fruit ${tag}`;
  const vegetable = `Name a vegetable ${tag}`;
  const edited = `Name a green vegetable ${tag}`;
  const tree = `Name a tree ${tag}`;
  await openApp(page);
  await chooseModel(page, "gemini-3-pro");
  await sendAndWait(page, fruit);
  await sendAndWait(page, vegetable);
  await sendAndWait(page, tree);
  const oldSession = await copiedSessionId(page);

  const second = userMessages(page).nth(1);
  await second.hover();
  await second.getByRole("button", { name: "Edit message" }).click();
  const editor = page.getByRole("textbox", { name: "Edit message" });
  await expect(editor).toBeFocused();
  await expect(editor).toHaveValue(vegetable);
  // Escape gives up without sending anything, and focus goes back to the Edit button.
  await editor.press("Escape");
  await expect(editor).toHaveCount(0);
  await expect(second.getByRole("button", { name: "Edit message" })).toBeFocused();
  await expect(assistantMessages(page)).toHaveCount(3);

  await second.hover();
  await second.getByRole("button", { name: "Edit message" }).click();
  await page.getByRole("textbox", { name: "Edit message" }).fill(edited);
  await shot(page, "22-editing");
  const request = page.waitForRequest("**/v1/chat/completions");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const body = bodyOf(await request);
  expect(body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  expect(body.messages[0]?.content).toBe(fruit);
  expect(body.messages[2]?.content).toBe(edited);
  expect(body.conversation).toBeUndefined();
  await waitForReply(page);

  // The later messages are gone; the new reply comes from a new session carrying the first turn.
  await expect(userMessages(page)).toHaveCount(2);
  await expect(assistantMessages(page)).toHaveCount(2);
  await expect(userMessages(page).nth(1)).toContainText(edited);
  await expect(page.getByText(tree)).toHaveCount(0);
  const reply = assistantMessages(page).nth(1);
  await expect(reply).toContainText("Turn 1 of this session");
  await expect(reply).toContainText(
    `You said: “[Conversation so far] User: ${fruit} Assistant: Turn 1 of this session`,
  );
  await expect(reply).toContainText(`Reply to this last message:] ${edited}”`);
  await expect(reply.getByText("continued in a new session")).toBeVisible();
  await expect(assistantMessages(page).first().getByText("continued in a new session")).toHaveCount(0);
  const newSession = await copiedSessionId(page);
  expect(newSession).not.toBe(oldSession);
  await shot(page, "23-edited");

  // The edited branch is a normal chat from here: the next prompt continues the new session.
  await page.reload();
  await expect(assistantMessages(page)).toHaveCount(2);
  await sendAndWait(page, `And a herb? ${tag}`);
  await expect(assistantMessages(page).nth(2)).toContainText("Turn 2 of this session");
  await expect(assistantMessages(page).nth(2)).toContainText(`You said: “And a herb? ${tag}”`);
  await expect(assistantMessages(page).nth(2).getByText("continued in a new session")).toHaveCount(0);
  expect(await copiedSessionId(page)).toBe(newSession);
});

test("switching the model of a chat carries the conversation to the new model", async ({ page }) => {
  const tag = uniqueTag();
  await openApp(page);
  await chooseModel(page, "gemini-3-pro");
  await sendAndWait(page, `Remember the number 42 ${tag}`);
  await expect(assistantMessages(page).first()).toContainText("answered by gemini-3-pro");
  const firstSession = await copiedSessionId(page);

  await page.getByRole("button", { name: /Change model/ }).click();
  await expect(page.getByText("The conversation so far goes with it")).toBeVisible();
  await page.keyboard.press("Escape");
  await chooseModel(page, "deepseek-v3.2");
  const request = page.waitForRequest("**/v1/chat/completions");
  await sendAndWait(page, `Which number was it? ${tag}`);
  const body = bodyOf(await request);
  expect(body.model).toBe("deepseek-v3.2");
  expect(body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  expect(body.conversation).toBeUndefined();

  const switched = assistantMessages(page).nth(1);
  await expect(switched).toContainText("Turn 1 of this session, answered by deepseek-v3.2");
  await expect(switched).toContainText(`[Conversation so far] User: Remember the number 42 ${tag}`);
  await expect(switched.getByText("deepseek-v3.2", { exact: true })).toBeVisible();
  await expect(switched.getByText("continued in a new session")).toBeVisible();
  // The earlier reply keeps its model.
  await expect(assistantMessages(page).first().getByText("gemini-3-pro", { exact: true })).toBeVisible();
  expect(await copiedSessionId(page)).not.toBe(firstSession);
  await shot(page, "24-model-switched");

  await sendAndWait(page, `Thanks ${tag}`);
  await expect(assistantMessages(page).nth(2)).toContainText(
    "Turn 2 of this session, answered by deepseek-v3.2",
  );
  await expect(assistantMessages(page).nth(2)).toContainText("Previous prompt: “[Conversation so far]");
});
