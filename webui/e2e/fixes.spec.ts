import type { Page } from "@playwright/test";
import {
  assistantMessages,
  chatButton,
  chooseModel,
  expect,
  openApp,
  send,
  test,
  uniqueTag,
  waitForReply,
} from "./fixtures";
import { chunk, mockReplyText, sse } from "./mock";

const PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==";

async function noSidewaysScroll(page: Page): Promise<void> {
  const sizes = await page.getByTestId("message-scroller").evaluate((el) => ({
    scroller: el.scrollWidth - el.clientWidth,
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  }));
  expect(sizes).toEqual({ scroller: 0, page: 0 });
}

test("a 300-character URL wraps in prompts and replies; the page never scrolls sideways", async ({
  page,
}) => {
  await openApp(page);
  const url = `https://example.org/${"a".repeat(280)}`;
  await send(page, `Look at ${url} ${uniqueTag()}`);
  await waitForReply(page);
  await expect(assistantMessages(page).first()).toContainText("aaaaaaaa");
  await noSidewaysScroll(page);
});

test("prices stay text; $…$, $$…$$ and \\(…\\) stay math", async ({ page }) => {
  await openApp(page);
  await mockReplyText(page, "It costs $5 and $10 a month, while $x^2$ is math and so is \\(y\\).");
  await send(page, "prices");
  await waitForReply(page);
  const reply = assistantMessages(page).first();
  await expect(reply).toContainText("It costs $5 and $10 a month");
  await expect(reply.locator(".katex")).toHaveCount(2);
});

test("a server that is starting: the model list says so, retries and loads without a reload", async ({
  page,
}) => {
  let refused = 0;
  await page.route("**/v1/models", async (route) => {
    if (refused < 2) {
      refused++;
      await route.fulfill({
        status: 503,
        headers: { "Retry-After": "1" },
        contentType: "application/json",
        body: JSON.stringify({
          error: { message: "starting", type: "service_unavailable", param: null, code: "not_ready" },
        }),
      });
    } else await route.continue();
  });
  await page.goto("/ui/");
  await expect(page.getByRole("status").filter({ hasText: "The server is starting up" })).toBeVisible();
  await expect(page.getByTestId("current-model")).not.toHaveText(/Choose a model/);
  await expect(page.getByRole("status").filter({ hasText: "The server is starting up" })).toHaveCount(0);
  await expect(page.getByRole("alert")).toHaveCount(0);
  expect(refused).toBe(2);
});

async function setChatLimit(page: Page, limit: number): Promise<void> {
  await page.getByRole("button", { name: "Settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.getByLabel("Chats to keep").fill(String(limit));
  await dialog.getByRole("button", { name: "Apply" }).click();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
}

test("the chat limit: empty chats do not count, pinned chats stay, and deletions are announced", async ({
  page,
}) => {
  const tag = uniqueTag();
  await openApp(page);
  await setChatLimit(page, 2);
  const sidebar = page.getByRole("complementary", { name: "Chat list" });
  const items = sidebar.getByTestId("chat-item");
  await send(page, `Oldest ${tag}`);
  await waitForReply(page);
  await page.getByRole("button", { name: "New chat" }).click();
  await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
  await send(page, `Middle ${tag}`);
  await waitForReply(page);
  // A new, empty chat does not count: nothing is deleted.
  await page.getByRole("button", { name: "New chat" }).click();
  await expect(page.getByRole("heading", { name: "How can I help?" })).toBeVisible();
  await expect(items).toHaveCount(3);
  // Pin the oldest chat: it is never deleted.
  await sidebar.getByRole("button", { name: `Actions for chat “Oldest ${tag}”` }).click();
  await page.getByRole("menuitem", { name: "Pin" }).click();
  await expect(chatButton(sidebar, `Oldest ${tag}`)).toContainText("pinned");
  // The third chat begins: the least recent unpinned chat goes, and the notice names it.
  await send(page, `Newest ${tag}`);
  await expect(page.getByRole("status").filter({ hasText: `Deleted “Middle ${tag}”` })).toBeVisible();
  await expect(items).toHaveCount(2);
  await expect(chatButton(sidebar, `Oldest ${tag}`)).toBeVisible();
  await expect(chatButton(sidebar, `Newest ${tag}`)).toBeVisible();
  await waitForReply(page);
});

test("generated images are kept: shown from the stored copy after their URL expired", async ({ page }) => {
  let expired = false;
  // The fake site's storage sends no CORS headers, as real storage need not for this origin: the
  // page cannot read the bytes itself, the server fetches them. Then the URL expires for the page.
  await page.route("**/__storage__/**", async (route) => {
    if (expired) {
      await route.fulfill({ status: 403, contentType: "text/plain", body: "Request has expired" });
      return;
    }
    await route.continue();
  });
  const kept = page.waitForResponse((r) => r.url().endsWith("/v1/images/content") && r.ok());
  await openApp(page);
  await chooseModel(page, "flux-2-pro");
  await send(page, `A red square ${uniqueTag()}`);
  await waitForReply(page);
  const image = assistantMessages(page).first().getByRole("img", { name: "Generated image 1" });
  await expect(image).toHaveAttribute("src", /^blob:/);
  expect((await kept).headers()["content-type"]).toBe("image/png");
  expired = true;
  await page.reload();
  await expect(image).toHaveAttribute("src", /^blob:/);
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
});

test("errors are plain words; the internals are behind Details", async ({ page }) => {
  await openApp(page);
  await page.route("**/v1/chat/completions", (route) =>
    route.fulfill({
      status: 200,
      contentType: "text/event-stream",
      body: sse([
        chunk({ role: "assistant", content: "" }),
        {
          error: {
            message:
              "<TransferEncodingError: 400, message='Not enough data for satisfy transfer length header.'>",
            type: "upstream_error",
            param: null,
            code: null,
          },
        },
      ]),
    }),
  );
  await send(page, "break please");
  const alert = assistantMessages(page).first().getByRole("alert");
  await expect(alert.getByText("LMArena could not finish this reply. Try again.")).toBeVisible();
  await expect(alert.getByText(/TransferEncodingError/)).toBeHidden();
  await alert.getByText("Details").click();
  await expect(alert.getByText(/TransferEncodingError/)).toBeVisible();

  await page.unroute("**/v1/chat/completions");
  await page.route("**/v1/chat/completions", (route) =>
    route.fulfill({
      status: 400,
      contentType: "application/json",
      body: JSON.stringify({
        error: { message: 'the site answered 422: {"detail":"bad"}', type: "x", param: null, code: null },
      }),
    }),
  );
  await alert.getByRole("button", { name: "Retry" }).click();
  await expect(alert.getByText("LMArena did not accept this request.")).toBeVisible();
  await expect(alert.getByText(/answered 422/)).toBeHidden();
});

test("drafts survive a reload, per chat", async ({ page }) => {
  await openApp(page);
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("half-written thought");
  // Wait until the draft is stored (it is saved a moment after typing).
  await expect
    .poll(() =>
      page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const open = indexedDB.open("lmarena-webui");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const db = open.result;
              const all = db.transaction("drafts").objectStore("drafts").getAll();
              all.onsuccess = () => {
                resolve(all.result.length);
                db.close();
              };
              all.onerror = () => reject(all.error);
            };
          }),
      ),
    )
    .toBe(1);
  await page.reload();
  await expect(box).toHaveValue("half-written thought");
});

test("Esc stops the reply being written", async ({ page }) => {
  await openApp(page);
  await send(page, `Long one ${uniqueTag()} [fake: words=400 delay_ms=25]`);
  const reply = assistantMessages(page).first();
  await expect(reply).toContainText("The answer keeps going");
  await page.keyboard.press("Escape");
  await expect(reply.getByText("Stopped")).toBeVisible();
  await expect(page.getByRole("button", { name: "Send message" })).toBeVisible();
});

test("notices never cover the images attached in the message box", async ({ page }) => {
  await openApp(page);
  await chooseModel(page, "gemini-3-pro");
  const input = page.getByTestId("file-input");
  await input.setInputFiles({
    name: "a.png",
    mimeType: "image/png",
    buffer: Buffer.from(PNG_BASE64, "base64"),
  });
  const thumbs = page.getByRole("list", { name: "Images to send" });
  await expect(thumbs.getByRole("img")).toHaveCount(1);
  await input.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hi") });
  const notice = page.getByTestId("notices").getByText("Only PNG, JPEG, WebP and GIF images can be attached");
  await expect(notice).toBeVisible();
  const a = await notice.boundingBox();
  const b = await thumbs.boundingBox();
  expect(a && b).toBeTruthy();
  if (a && b) {
    const overlap =
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    expect(overlap).toBe(false);
  }
});

test("each reply says when it was asked, its time to first token and its duration", async ({ page }) => {
  await openApp(page);
  await send(page, `Timing ${uniqueTag()} [fake: words=30]`);
  await waitForReply(page);
  const timing = assistantMessages(page).first().getByTestId("reply-timing");
  await expect(timing.locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
  await expect(timing).toContainText(/first token \d+(\.\d)? s/);
  await expect(timing).toContainText(/\d+(\.\d)? s total/);
});

test("a chat's system prompt is sent first, as the system message, and is kept", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "System prompt" }).click();
  const dialog = page.getByRole("dialog", { name: "System prompt" });
  await dialog.getByRole("textbox", { name: "System prompt" }).fill("Answer like a pirate.");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toHaveCount(0);
  const request = page.waitForRequest("**/v1/chat/completions");
  await send(page, `Ahoy ${uniqueTag()}`);
  const body = (await request).postDataJSON() as { messages: { role: string; content: unknown }[] };
  expect(body.messages[0]).toEqual({ role: "system", content: "Answer like a pirate." });
  expect(body.messages[1]?.role).toBe("user");
  await waitForReply(page);
  await page.reload();
  await page.getByRole("button", { name: "System prompt (set)" }).click();
  await expect(dialog.getByRole("textbox", { name: "System prompt" })).toHaveValue("Answer like a pirate.");
});

test("? and Ctrl+/ open the keyboard shortcut sheet", async ({ page }) => {
  await openApp(page);
  await page.keyboard.press("Control+/");
  const sheet = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(sheet).toBeVisible();
  for (const what of ["New chat", "Stop the reply being written", "Focus the message box", "Send"]) {
    await expect(sheet.getByText(what, { exact: true })).toBeVisible();
  }
  await page.keyboard.press("Escape");
  await expect(sheet).toHaveCount(0);
  // "?" types into the message box, and opens the sheet elsewhere.
  await page.getByRole("textbox", { name: "Message" }).press("?");
  await expect(page.getByRole("textbox", { name: "Message" })).toHaveValue("?");
  await page.getByRole("button", { name: "Settings" }).focus();
  await page.keyboard.press("?");
  await expect(sheet).toBeVisible();
});
