import type { Locator, Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { importChats } from "./backup";
import {
  assistantMessages,
  chatButton,
  chooseModel,
  expect,
  openApp,
  send,
  shot,
  test,
  uniqueTag,
  waitForReply,
} from "./fixtures";

/** Opens Settings, exports the backup, and gives the dialog, the file's path and its JSON. */
async function exportBackup(page: Page): Promise<{ dialog: Locator; file: string; json: unknown }> {
  await page.getByRole("button", { name: "Settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Export JSON" }).click();
  const file = await (await download).path();
  return { dialog, file, json: JSON.parse(readFileSync(file, "utf8")) };
}

async function clearAllChats(page: Page, dialog: Locator): Promise<void> {
  await dialog.getByRole("button", { name: "Clear all chats" }).click();
  await page
    .getByRole("dialog", { name: "Clear all chats?" })
    .getByRole("button", { name: "Clear all" })
    .click();
}

test("export to JSON, clear everything, import it back", async ({ page }) => {
  await openApp(page);
  await send(page, "Remember the word avocado");
  await waitForReply(page);
  const { dialog, file, json } = await exportBackup(page);
  const exported = json as {
    format: string;
    chats: { title: string; evaluationSessionId: string }[];
    messages: { content: string }[];
  };
  expect(exported.format).toBe("lmarena-webui-export");
  expect(exported.chats.map((c) => c.title)).toEqual(["Remember the word avocado"]);
  expect(exported.chats[0]?.evaluationSessionId).toBeTruthy();
  expect(exported.messages.map((m) => m.content).join(" ")).toContain("avocado");

  await clearAllChats(page, dialog);
  await expect(chatButton(page, "Remember the word avocado")).toHaveCount(0);

  await dialog.getByTestId("import-input").setInputFiles(file);
  await expect(page.getByRole("status").getByText("Imported 1 chat")).toBeVisible();
  await page.keyboard.press("Escape");
  await chatButton(page, "Remember the word avocado").click();
  await expect(assistantMessages(page).first()).toContainText("You said: “Remember the word avocado”");
  // The imported session continues.
  await send(page, "and now?");
  await waitForReply(page);
  await expect(assistantMessages(page).nth(1)).toContainText("Turn 2 of this session");
});

test("a backup keeps generated images: imported after their URL expired, they still show", async ({
  page,
}) => {
  let expired = false;
  await page.route("**/__storage__/**", async (route) => {
    if (expired) await route.fulfill({ status: 403, contentType: "text/plain", body: "Request has expired" });
    else await route.continue();
  });
  await openApp(page);
  await chooseModel(page, "flux-2-pro");
  const title = `A blue circle ${uniqueTag()}`;
  await send(page, title);
  await waitForReply(page);
  const image = assistantMessages(page).first().getByRole("img", { name: "Generated image 1" });
  await expect(image).toHaveAttribute("src", /^blob:/);

  const { dialog, file, json } = await exportBackup(page);
  const exported = json as {
    messages: { id: string; images?: string[] }[];
    images: { url: string; messageId: string; dataUrl: string }[];
  };
  const shown = exported.messages.find((m) => m.images?.length);
  expect(exported.images).toHaveLength(1);
  expect(exported.images[0]).toMatchObject({ url: shown?.images?.[0], messageId: shown?.id });
  expect(exported.images[0]?.dataUrl).toMatch(/^data:image\/png;base64,/);

  await clearAllChats(page, dialog);
  await expect(chatButton(page, title)).toHaveCount(0);
  expired = true;
  await page.reload();
  await page.getByRole("button", { name: "Settings" }).click();
  await dialog.getByTestId("import-input").setInputFiles(file);
  await expect(page.getByRole("status").getByText("Imported 1 chat")).toBeVisible();
  await page.keyboard.press("Escape");
  await chatButton(page, title).click();
  await expect(image).toHaveAttribute("src", /^blob:/);
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
});

test("an invalid backup is refused with the reason", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "Settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.getByTestId("import-input").setInputFiles({
    name: "bad.json",
    mimeType: "application/json",
    buffer: Buffer.from(
      JSON.stringify({
        format: "lmarena-webui-export",
        version: 1,
        chats: [{ title: "no id" }],
        messages: [],
      }),
    ),
  });
  await expect(dialog.getByRole("alert")).toContainText(
    "Import failed: chats[0].id must be a non-empty string",
  );
});

test("import applies the chat limit", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "Settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.getByLabel("Chats to keep").fill("4");
  await dialog.getByRole("button", { name: "Apply" }).click();
  await importChats(dialog, 6);
  // The open chat is empty: it does not count toward the limit.
  await expect(page.getByRole("status").getByText(/Imported 6 chats; 2 older chats deleted/)).toBeVisible();
  await expect(page.getByRole("complementary", { name: "Chat list" }).getByTestId("chat-item")).toHaveCount(
    5,
  );
});

test("a chat exports as Markdown", async ({ page }) => {
  await openApp(page);
  await send(page, "Markdown export test [fake: citations=1]");
  await waitForReply(page);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export chat as Markdown" }).click();
  const saved = await download;
  expect(saved.suggestedFilename()).toMatch(/^Markdown-export-test.*\.md$/);
  const text = readFileSync(await saved.path(), "utf8");
  expect(text).toContain("# Markdown export test");
  expect(text).toContain("## User\n\nMarkdown export test");
  expect(text).toMatch(/## Assistant \(.+\)\n\nTurn 1 of this session/);
  expect(text).toContain("- [Source 1](https://example.org/fake-source-1)");
});

test("sidebar: search titles and message text, rename, delete", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: "Settings" }).click();
  await importChats(page.getByRole("dialog", { name: "Settings" }), 3);
  await expect(page.getByRole("status").getByText("Imported 3 chats")).toBeVisible();
  await page.keyboard.press("Escape");
  const sidebar = page.getByRole("complementary", { name: "Chat list" });
  const search = sidebar.getByRole("searchbox", { name: "Search chats" });
  await search.fill("zebras1"); // only in a message of chat 2
  await expect(sidebar.getByTestId("chat-item")).toHaveCount(1);
  await expect(sidebar.getByTestId("chat-item")).toContainText("Imported chat 2");
  await expect(sidebar.getByTestId("chat-item")).toContainText("Question 2 about zebras1");
  await search.fill("chat 3");
  await expect(sidebar.getByTestId("chat-item")).toHaveCount(1);
  await shot(page, "12-search");
  await search.fill("");

  await sidebar.getByRole("button", { name: "Actions for chat “Imported chat 1”" }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  const title = sidebar.getByRole("textbox", { name: "Chat title" });
  await title.fill("Renamed chat");
  await title.press("Enter");
  await expect(chatButton(sidebar, "Renamed chat")).toBeVisible();

  await sidebar.getByRole("button", { name: "Actions for chat “Renamed chat”" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete chat?" }).getByRole("button", { name: "Delete" }).click();
  await expect(chatButton(sidebar, "Renamed chat")).toHaveCount(0);
  await page.reload();
  await expect(chatButton(sidebar, "Renamed chat")).toHaveCount(0);
  await expect(chatButton(sidebar, "Imported chat 2")).toBeVisible();
});
