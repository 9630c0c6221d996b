/** Export, import and clearing of everything stored. */

import { getRepo } from "../db/instance";
import type { StoredImage } from "../db/repo";
import { buildExport, parseImportText, type ExportedImage, type ExportFile } from "../lib/exportImport";
import { dataUrlToBlob, readAsDataUrl } from "../lib/files";
import { chatToMarkdown } from "../lib/markdownExport";
import { pruneChats, reloadChats, threadMessages, useChats } from "../stores/chats";
import { currentSettings, updateSettings } from "../stores/settings";
import { stopReply } from "./generation";
import { showStoredImages } from "./images";

export async function exportEverything(): Promise<ExportFile> {
  const repo = await getRepo();
  const [chats, messages, stored] = await Promise.all([
    repo.loadChats(),
    repo.allMessages(),
    repo.allImages(),
  ]);
  messages.sort((a, b) => a.chatId.localeCompare(b.chatId) || a.seq - b.seq);
  chats.sort((a, b) => b.updatedAt - a.updatedAt);
  const images = await Promise.all(stored.map(exportedImage));
  return buildExport(currentSettings(), chats, messages, new Date(), images);
}

async function exportedImage({ url, chatId, messageId, blob }: StoredImage): Promise<ExportedImage> {
  return { url, chatId, messageId, dataUrl: await readAsDataUrl(blob) };
}

export interface ImportSummary {
  chats: number;
  messages: number;
  pruned: number;
}

/** Adds the file's chats (replacing chats with the same id), applies its settings, then prunes. */
export async function importBackup(text: string): Promise<ImportSummary> {
  const result = parseImportText(text);
  if (!result.ok) throw new Error(result.error);
  const { chats, messages, settings } = result.data;
  const running = useChats.getState().running;
  const incoming = chats.filter((c) => !running[c.id]);
  const ids = new Set(incoming.map((c) => c.id));
  const images = result.data.images
    .filter((i) => ids.has(i.chatId))
    .map(({ url, chatId, messageId, dataUrl }) => ({ url, chatId, messageId, blob: dataUrlToBlob(dataUrl) }));
  const repo = await getRepo();
  await repo.importChats(
    incoming,
    messages.filter((m) => ids.has(m.chatId)),
    images,
  );
  showStoredImages(images);
  if (Object.keys(settings).length) await updateSettings(settings);
  await reloadChats();
  const pruned = await pruneChats();
  return { chats: incoming.length, messages: messages.length, pruned: pruned.length };
}

export async function clearEverything(): Promise<void> {
  for (const chatId of Object.keys(useChats.getState().running)) stopReply(chatId);
  const repo = await getRepo();
  await repo.clearChats();
  useChats.setState({ chats: {}, threads: {}, activeId: null });
}

export function chatMarkdown(chatId: string): string | null {
  const chat = useChats.getState().chats[chatId];
  return chat ? chatToMarkdown(chat, threadMessages(chatId)) : null;
}
