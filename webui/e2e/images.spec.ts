import { chooseModel, expect, openApp, send, shot, test, waitForReply } from "./fixtures";
import type { Page } from "@playwright/test";

// A 2×2 PNG.
const PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==";

async function pasteImage(page: Page): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).evaluate((el, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "pasted.png", { type: "image/png" }));
    el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, PNG_BASE64);
}

async function dropImage(page: Page): Promise<void> {
  const data = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
    return transfer;
  }, PNG_BASE64);
  const target = page.getByTestId("chat-view");
  await target.dispatchEvent("dragenter", { dataTransfer: data });
  await expect(page.getByText("Drop images to attach them")).toBeVisible();
  await target.dispatchEvent("dragover", { dataTransfer: data });
  await target.dispatchEvent("drop", { dataTransfer: data });
}

test("attaches images by picker, paste and drop, removes one, and sends them", async ({ page }) => {
  await openApp(page);
  await chooseModel(page, "gemini-3-pro");
  await page.getByTestId("file-input").setInputFiles({
    name: "picked.png",
    mimeType: "image/png",
    buffer: Buffer.from(PNG_BASE64, "base64"),
  });
  await pasteImage(page);
  await dropImage(page);
  const previews = page.getByRole("list", { name: "Images to send" }).getByRole("img");
  await expect(previews).toHaveCount(3);
  await shot(page, "07-image-previews");
  await page.getByRole("button", { name: /Remove image 2 \(pasted.png\)/ }).click();
  await expect(previews).toHaveCount(2);

  const request = page.waitForRequest("**/v1/chat/completions");
  await send(page, "What is in these pictures?");
  const body = (await request).postDataJSON() as {
    model: string;
    messages: { role: string; content: { type: string; text?: string; image_url?: { url: string } }[] }[];
  };
  expect(body.model).toBe("gemini-3-pro");
  expect(body.messages).toHaveLength(1);
  const parts = body.messages[0]?.content ?? [];
  expect(parts.map((p) => p.type)).toEqual(["text", "image_url", "image_url"]);
  expect(parts[1]?.image_url?.url).toBe(`data:image/png;base64,${PNG_BASE64}`);
  await waitForReply(page);
  await expect(page.getByRole("article", { name: "Assistant message" })).toContainText(
    "What is in these pictures?",
  );
  await expect(page.getByRole("article", { name: "Your message" }).getByRole("img")).toHaveCount(2);
  await expect(page.getByRole("list", { name: "Images to send" })).toHaveCount(0);
  await shot(page, "08-images-sent");

  // The next turn sends the whole conversation, the earlier images as the same data URIs, so the
  // server recognises it and continues the session (uploading nothing again).
  const next = page.waitForRequest("**/v1/chat/completions");
  await send(page, "And now?");
  const nextBody = (await next).postDataJSON() as {
    messages: { role: string; content: unknown }[];
    conversation?: unknown;
  };
  expect(nextBody.messages).toHaveLength(3);
  expect(nextBody.messages[0]).toEqual(body.messages[0]);
  expect(nextBody.messages[2]).toEqual({ role: "user", content: "And now?" });
  expect(nextBody.conversation).toBeUndefined();
  await waitForReply(page);
  await expect(page.getByRole("article", { name: "Assistant message" }).nth(1)).toContainText(
    "Turn 2 of this session",
  );
});

test("a model without vision cannot take images, and says why", async ({ page }) => {
  await openApp(page);
  await chooseModel(page, "deepseek-v3.2");
  const attach = page.getByRole("button", { name: "Attach images" });
  await expect(attach).toHaveAttribute("aria-disabled", "true");
  await expect(attach).toHaveAccessibleDescription("deepseek-v3.2 does not accept images");
  await pasteImage(page);
  await expect(page.getByRole("status").getByText("deepseek-v3.2 does not accept images")).toBeVisible();
  await expect(page.getByRole("list", { name: "Images to send" })).toHaveCount(0);
});

test("the model list shows capabilities and filters", async ({ page }) => {
  await openApp(page);
  await page.getByRole("button", { name: /Change model/ }).click();
  const filter = page.getByRole("combobox", { name: "Filter models" });
  await expect(filter).toBeFocused();
  await filter.fill("gemini");
  const options = page.getByRole("option");
  await expect(options.filter({ hasText: "gemini-3-pro" })).toHaveCount(1);
  await expect(options.filter({ hasText: "claude" })).toHaveCount(0);
  await expect(
    options.filter({ hasText: "gemini-3-pro" }).locator('[data-capability="vision"]'),
  ).toBeVisible();
  await filter.fill("");
  await expect(page.locator('[role="option"] [data-capability="image"]').first()).toBeVisible();
  await shot(page, "09-model-picker");
  await filter.press("Escape");
  await expect(page.getByRole("listbox")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Change model/ })).toBeFocused();
  // Keyboard choice.
  await page.getByRole("button", { name: /Change model/ }).press("Enter");
  await page.getByRole("combobox", { name: "Filter models" }).fill("deepseek");
  await page.getByRole("combobox", { name: "Filter models" }).press("Enter");
  await expect(page.getByTestId("current-model")).toHaveText("deepseek-v3.2");
});
