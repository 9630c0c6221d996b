/**
 * What the user is typing in each chat, with attached images. Kept in memory and saved to the
 * database shortly after each change (and when the page is hidden), so a reload keeps it.
 */

import { create } from "zustand";
import { getRepo } from "../db/instance";

export interface Attachment {
  id: string;
  name: string;
  dataUrl: string;
}

export interface Draft {
  text: string;
  attachments: Attachment[];
}

export const EMPTY_DRAFT: Draft = { text: "", attachments: [] };

export const useDrafts = create<{ drafts: Record<string, Draft> }>(() => ({ drafts: {} }));

const SAVE_AFTER_MS = 250;
const pending = new Map<string, ReturnType<typeof setTimeout>>();

async function save(chatId: string): Promise<void> {
  pending.delete(chatId);
  const draft = useDrafts.getState().drafts[chatId];
  const repo = await getRepo();
  if (!draft || (!draft.text && !draft.attachments.length)) await repo.deleteDraft(chatId);
  else await repo.putDraft({ chatId, text: draft.text, attachments: draft.attachments });
}

function scheduleSave(chatId: string): void {
  const timer = pending.get(chatId);
  if (timer !== undefined) clearTimeout(timer);
  pending.set(
    chatId,
    setTimeout(() => void save(chatId).catch(() => undefined), SAVE_AFTER_MS),
  );
}

/** Writes every draft whose save is still waiting (the page is being hidden or closed). */
export function flushDrafts(): Promise<void> {
  const ids = [...pending.keys()];
  for (const id of ids) clearTimeout(pending.get(id));
  return Promise.all(ids.map((id) => save(id).catch(() => undefined))).then(() => undefined);
}

/** Reads the saved drafts (at start-up). */
export async function loadDrafts(): Promise<void> {
  const stored = await (await getRepo()).loadDrafts();
  const drafts: Record<string, Draft> = {};
  for (const d of stored) drafts[d.chatId] = { text: d.text, attachments: d.attachments };
  // A draft typed before the load finished wins.
  useDrafts.setState((s) => ({ drafts: { ...drafts, ...s.drafts } }));
}

function update(chatId: string, change: (d: Draft) => Draft): void {
  useDrafts.setState((s) => ({
    drafts: { ...s.drafts, [chatId]: change(s.drafts[chatId] ?? EMPTY_DRAFT) },
  }));
  scheduleSave(chatId);
}

export function setDraftText(chatId: string, text: string): void {
  update(chatId, (d) => ({ ...d, text }));
}

export function addAttachments(chatId: string, attachments: Attachment[]): void {
  update(chatId, (d) => ({ ...d, attachments: [...d.attachments, ...attachments] }));
}

export function removeAttachment(chatId: string, id: string): void {
  update(chatId, (d) => ({ ...d, attachments: d.attachments.filter((a) => a.id !== id) }));
}

export function clearDraft(chatId: string): void {
  useDrafts.setState((s) => {
    const drafts = { ...s.drafts };
    delete drafts[chatId];
    return { drafts };
  });
  const timer = pending.get(chatId);
  if (timer !== undefined) clearTimeout(timer);
  pending.delete(chatId);
  void getRepo()
    .then((repo) => repo.deleteDraft(chatId))
    .catch(() => undefined);
}

export function getDraft(chatId: string): Draft {
  return useDrafts.getState().drafts[chatId] ?? EMPTY_DRAFT;
}
