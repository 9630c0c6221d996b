import { useEffect, useId, useState } from "react";
import { updateChat, useChats } from "../../stores/chats";
import { editSystemPrompt, notify, useUi } from "../../stores/ui";
import { Dialog } from "../ui/Dialog";

/** Edits the open chat's system prompt (sent first, as the `system` message, with every request). */
export function SystemPromptDialog() {
  const chatId = useUi((s) => s.systemPromptFor);
  const saved = useChats((s) => (chatId ? (s.chats[chatId]?.systemPrompt ?? "") : ""));
  const [text, setText] = useState(saved);
  const id = useId();
  useEffect(() => setText(saved), [saved, chatId]);
  const close = (): void => editSystemPrompt(null);
  const save = (): void => {
    if (!chatId) return;
    const value = text.trim();
    void updateChat(chatId, { systemPrompt: value });
    notify(value ? "System prompt saved for this chat" : "System prompt removed");
    close();
  };
  return (
    <Dialog
      open={chatId !== null}
      onClose={close}
      title="System prompt"
      description="Instructions sent first with every request of this chat (the model's role, tone, format)."
    >
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <label htmlFor={id} className="sr-only">
          System prompt
        </label>
        <textarea
          id={id}
          data-autofocus
          rows={6}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="You are a concise assistant. Answer in British English."
          className="field resize-y"
        />
        <div className="flex justify-end gap-2">
          {saved && (
            <button type="button" className="btn-ghost mr-auto" onClick={() => setText("")}>
              Clear
            </button>
          )}
          <button type="button" className="btn-secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn-primary">
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
