/** What the user is typing in each chat, with attached images (kept in memory only). */

import { create } from "zustand";

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

function update(chatId: string, change: (d: Draft) => Draft): void {
  useDrafts.setState((s) => ({
    drafts: { ...s.drafts, [chatId]: change(s.drafts[chatId] ?? EMPTY_DRAFT) },
  }));
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
}

export function getDraft(chatId: string): Draft {
  return useDrafts.getState().drafts[chatId] ?? EMPTY_DRAFT;
}
