import type { APIRequestContext } from "@playwright/test";
import {
  assistantMessages,
  chatButton,
  copiedSessionId,
  expect,
  openApp,
  send,
  shot,
  test,
  uniqueTag,
  waitForReply,
} from "./fixtures";

test("sends a prompt and streams the reply with reasoning and sources", async ({ page }) => {
  await openApp(page);
  await shot(page, "01-empty-chat");
  await send(page, "Hello there [fake: words=60 delay_ms=15 reasoning=1 citations=2]");
  await expect(page.getByRole("button", { name: "Stop generating" })).toBeVisible();
  await expect(assistantMessages(page).first()).toContainText("Turn 1 of this session");
  await shot(page, "02-streaming");
  await waitForReply(page);
  const reply = assistantMessages(page).first();
  await expect(reply).toContainText("You said: “Hello there”");
  await expect(reply.getByRole("navigation", { name: "Sources" }).getByRole("link")).toHaveCount(2);
  await expect(reply.getByRole("link", { name: /Source 1/ })).toHaveAttribute(
    "href",
    "https://example.org/fake-source-1",
  );
  await reply.getByText("Reasoning").click();
  await expect(reply.getByText(/Thinking about turn 1/)).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "Hello there" }).first()).toBeVisible();
  await shot(page, "03-reply");

  await reply.hover();
  await reply.getByRole("button", { name: "Copy reply" }).click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain("Turn 1 of this session");
});

async function disconnects(request: APIRequestContext): Promise<number> {
  const text = await (await request.get("/metrics")).text();
  return Number(/^lmarena_api_client_disconnects_total (\S+)$/m.exec(text)?.[1] ?? "NaN");
}

test("stop keeps the partial reply, aborts the request on the server, and the chat goes on", async ({
  page,
  request,
}) => {
  await openApp(page);
  const before = await disconnects(request);
  await send(page, "Long one [fake: words=400 delay_ms=25]");
  const reply = assistantMessages(page).first();
  await expect(reply).toContainText("The answer keeps going");
  await page.getByRole("button", { name: "Stop generating" }).click();
  await expect(reply.getByText("Stopped")).toBeVisible();
  // The server saw the client go away (so it drops the job).
  await expect.poll(() => disconnects(request)).toBeGreaterThan(before);
  await expect(page.getByRole("button", { name: "Send message" })).toBeVisible();
  const partial = (await reply.innerText()).length;
  await page.waitForTimeout(600);
  expect((await reply.innerText()).length).toBe(partial); // nothing more arrives
  await shot(page, "04-stopped");
  // The server never recorded the stopped turn: the next prompt names its session to resume it.
  const next = page.waitForRequest("**/v1/chat/completions");
  await send(page, "After the stop");
  const body = (await next).postDataJSON() as {
    messages: unknown[];
    conversation?: { evaluationSessionId?: string };
  };
  expect(body.messages).toHaveLength(3);
  expect(body.conversation?.evaluationSessionId).toBe(await copiedSessionId(page));
  await waitForReply(page);
  await expect(assistantMessages(page).nth(1)).toContainText("Turn 2 of this session");
  await expect(assistantMessages(page).nth(1)).toContainText("You said: “After the stop”");
});

test("a reload keeps the chat, which continues in the same session", async ({ page }) => {
  const first = `first question ${uniqueTag()}`;
  await openApp(page);
  await send(page, first);
  await waitForReply(page);
  await expect(assistantMessages(page).first()).toContainText("Turn 1 of this session");
  const session = await copiedSessionId(page);
  expect(session).toMatch(/^[0-9a-f-]{36}$/);
  await page.reload();
  await expect(page.getByText(first).first()).toBeVisible();
  await expect(assistantMessages(page).first()).toContainText("Turn 1 of this session");

  // The whole conversation goes, without the vendor session id: the server recognises it.
  const request = page.waitForRequest("**/v1/chat/completions");
  await send(page, "second question");
  const body = (await request).postDataJSON() as {
    messages: { role: string; content: string }[];
    conversation?: unknown;
  };
  expect(body.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  expect(body.messages[0]?.content).toBe(first);
  expect(body.messages[1]?.content).toContain("Turn 1 of this session");
  expect(body.messages[2]?.content).toBe("second question");
  expect(body.conversation).toBeUndefined();
  await waitForReply(page);
  await expect(assistantMessages(page).nth(1)).toContainText("Turn 2 of this session");
  await expect(assistantMessages(page).nth(1)).toContainText(`Previous prompt: “${first}”`);
  await expect(page.getByText("continued in a new session")).toHaveCount(0);

  expect(await copiedSessionId(page)).toBe(session);
  await shot(page, "05-continued-after-reload");
});

test("a reply belongs to its chat when another chat is opened", async ({ page }) => {
  await openApp(page);
  await send(page, "Chat A [fake: words=120 delay_ms=20]");
  await expect(assistantMessages(page).first()).toContainText("Turn 1");
  await page.getByRole("button", { name: "New chat" }).click();
  await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
  await expect(assistantMessages(page)).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Stop generating" })).toHaveCount(0);
  await expect(chatButton(page, "Chat A")).toHaveAccessibleName(/\(replying\)$/);
  await shot(page, "06-other-chat-while-streaming");
  await chatButton(page, "Chat A").click();
  await waitForReply(page);
  await expect(chatButton(page, "Chat A")).not.toHaveAccessibleName(/\(replying\)$/);
  await expect(assistantMessages(page).first()).toContainText("fine.");
  await expect(assistantMessages(page)).toHaveCount(1);
});
