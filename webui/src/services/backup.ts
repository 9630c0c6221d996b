/** Export, import and clearing of everything stored. */

import { getRepo } from "../db/instance";
import { buildExport, parseImportText, type ExportFile } from "../lib/exportImport";
import { chatToMarkdown } from "../lib/markdownExport";
import { pruneChats, reloadChats, threadMessages, useChats } from "../stores/chats";
import { currentSettings, updateSettings } from "../stores/settings";
import { stopReply } from "./generation";

export async function exportEverything(): Promise<ExportFile> {
  const repo = await getRepo();
  const [chats, messages] = await Promise.all([repo.loadChats(), repo.allMessages()]);
  messages.sort((a, b) => a.chatId.localeCompare(b.chatId) || a.seq - b.seq);
  chats.sort((a, b) => b.updatedAt - a.updatedAt);
  return buildExport(currentSettings(), chats, messages);
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
  const repo = await getRepo();
  await repo.importChats(
    incoming,
    messages.filter((m) => ids.has(m.chatId)),
  );
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
