import type { Page } from "@playwright/test";
import { importChats } from "./backup";
import { assistantMessages, expect, openApp, send, shot, test, waitForReply } from "./fixtures";

async function openSettings(page: Page) {
  await page.getByRole("button", { name: "Settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await expect(dialog).toBeVisible();
  return dialog;
}

test("settings is a real dialog: keyboard, focus and Escape", async ({ page }) => {
  await openApp(page);
  const trigger = page.getByRole("button", { name: "Settings" });
  await trigger.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await expect(dialog).toBeVisible();
  await expect(dialog.locator(":focus")).toHaveCount(1); // focus moved inside
  for (let i = 0; i < 30; i++) await page.keyboard.press("Tab");
  await expect(dialog.locator(":focus")).toHaveCount(1); // and stays inside
  await shot(page, "10-settings");
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(trigger).toBeFocused();
});

test("with streaming off, one whole response is requested and shown", async ({ page }) => {
  await openApp(page);
  const dialog = await openSettings(page);
  const toggle = dialog.getByRole("switch", { name: "Stream replies" });
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await page.keyboard.press("Escape");
  const request = page.waitForRequest("**/v1/chat/completions");
  await send(page, "no streaming please");
  expect((await request).postDataJSON()).toMatchObject({ stream: false });
  await waitForReply(page);
  await expect(assistantMessages(page).first()).toContainText("You said: “no streaming please”");
  // The setting survives a reload.
  await page.reload();
  await expect((await openSettings(page)).getByRole("switch", { name: "Stream replies" })).toHaveAttribute(
    "aria-checked",
    "false",
  );
});

test("send key Ctrl+Enter: Enter makes a new line, Ctrl+Enter sends", async ({ page }) => {
  await openApp(page);
  const dialog = await openSettings(page);
  await dialog.getByText("Ctrl+Enter", { exact: true }).click();
  await page.keyboard.press("Escape");
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("line one");
  await box.press("Enter");
  await box.pressSequentially("line two");
  await expect(box).toHaveValue("line one\nline two");
  await expect(assistantMessages(page)).toHaveCount(0);
  await box.press("Control+Enter");
  await waitForReply(page);
  await expect(assistantMessages(page)).toHaveCount(1);
  await expect(box).toHaveValue("");
});

test("the API key is sent as a bearer token; a 401 asks for it", async ({ page }) => {
  await openApp(page);
  await page.route("**/v1/chat/completions", (route) =>
    route.fulfill({
      status: 401,
      contentType: "application/json",
      body: JSON.stringify({
        error: {
          message: "Invalid API key",
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      }),
    }),
  );
  await send(page, "hello");
  const alert = page.getByRole("alert").filter({ hasText: "Invalid API key" });
  await expect(alert).toContainText("needs an API key");
  await shot(page, "11-needs-api-key");
  await alert.getByRole("button", { name: "Set API key" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.getByLabel("API key", { exact: true }).fill("sk-test-123");
  await dialog.getByRole("button", { name: "Save" }).click();
  await page.keyboard.press("Escape");
  await page.unroute("**/v1/chat/completions");
  const request = page.waitForRequest("**/v1/chat/completions");
  await alert.getByRole("button", { name: "Retry" }).click();
  expect((await request).headers()["authorization"]).toBe("Bearer sk-test-123");
  await waitForReply(page);
  await expect(assistantMessages(page).first()).toContainText("You said: “hello”");
});

test("lowering the chat limit deletes the least recently used chats", async ({ page }) => {
  await openApp(page);
  const dialog = await openSettings(page);
  await importChats(dialog, 5);
  await expect(page.getByRole("status").getByText("Imported 5 chats")).toBeVisible();
  const items = page.getByRole("complementary", { name: "Chat list" }).getByTestId("chat-item");
  await expect(items).toHaveCount(6); // 5 imported + the open empty chat
  await dialog.getByLabel("Chats to keep").fill("3");
  await dialog.getByRole("button", { name: "Apply" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete older chats?" });
  // The open chat is empty: it does not count, so the 3 most recent imported chats stay.
  await expect(confirm).toContainText("deletes the 2 least recently used ones");
  await confirm.getByRole("button", { name: "Delete and apply" }).click();
  await expect(items).toHaveCount(4);
  await expect(page.getByTestId("notices")).toContainText("Deleted “Imported chat 1” and “Imported chat 2”");
  const titles = await items.allInnerTexts();
  expect(titles.join("|")).toContain("Imported chat 5");
  expect(titles.join("|")).toContain("Imported chat 3");
  expect(titles.join("|")).not.toContain("Imported chat 2");
  await page.reload();
  await expect(items).toHaveCount(4);
});

test("a server that wants a key: the model list says so, and loads once the key is set", async ({ page }) => {
  let requiredKey = "";
  await page.route("**/v1/models", async (route) => {
    if (route.request().headers()["authorization"] === "Bearer models-key") {
      await route.fallback();
      return;
    }
    requiredKey = "missing";
    await route.fulfill({
      status: 401,
      contentType: "application/json",
      body: JSON.stringify({
        error: {
          message: "Incorrect or missing API key (Authorization: Bearer <key>)",
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      }),
    });
  });
  await page.goto("/ui/");
  const notice = page.getByRole("alert").filter({ hasText: "Could not load the models" });
  await expect(notice).toContainText("needs an API key");
  expect(requiredKey).toBe("missing");
  await notice.getByRole("button", { name: "Set API key" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.getByLabel("API key", { exact: true }).fill("models-key");
  await dialog.getByRole("button", { name: "Save" }).click();
  await page.keyboard.press("Escape");
  await expect(notice).toHaveCount(0);
  await expect(page.getByTestId("current-model")).not.toHaveText(/Choose a model/);
});
