/** Builds backup files (the app's export format) for import tests, and imports them. */

import type { Locator } from "@playwright/test";

export function backupWithChats(count: number, prefix = "Imported chat"): string {
  const now = Date.now();
  const chats = [];
  const messages = [];
  for (let i = 0; i < count; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    const at = now - (count - i) * 60_000; // chat i+1 is more recent than chat i
    chats.push({
      id,
      title: `${prefix} ${i + 1}`,
      titleIsCustom: false,
      model: "gemini-3-pro",
      evaluationSessionId: null,
      createdAt: at,
      updatedAt: at,
    });
    messages.push({
      id: `${id}-u`,
      chatId: id,
      seq: 1,
      role: "user",
      content: `Question ${i + 1} about zebras${i}`,
      status: "done",
      createdAt: at,
    });
    messages.push({
      id: `${id}-a`,
      chatId: id,
      seq: 2,
      role: "assistant",
      content: `Answer ${i + 1}`,
      status: "done",
      createdAt: at,
      model: "gemini-3-pro",
    });
  }
  return JSON.stringify({
    format: "lmarena-webui-export",
    version: 1,
    exportedAt: new Date(now).toISOString(),
    settings: {},
    chats,
    messages,
  });
}

/** Imports a backup of `count` chats through the open Settings dialog's file input. */
export async function importChats(dialog: Locator, count: number): Promise<void> {
  await dialog.getByTestId("import-input").setInputFiles({
    name: "backup.json",
    mimeType: "application/json",
    buffer: Buffer.from(backupWithChats(count)),
  });
}
