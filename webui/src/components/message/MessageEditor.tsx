import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { isSendKey, sendKeyHint } from "../../lib/sendKey";
import { useChats } from "../../stores/chats";
import { useSettings } from "../../stores/settings";
import type { Message } from "../../types";

interface MessageEditorProps {
  message: Message;
  onSubmit: (text: string) => void;
  onCancel: () => void;
}

/** Edits a sent prompt in place; sending it replaces everything after it with a new reply. */
export function MessageEditor({ message, onSubmit, onCancel }: MessageEditorProps) {
  const [text, setText] = useState(message.content);
  const running = useChats((s) => Boolean(s.running[message.chatId]));
  const sendKey = useSettings((s) => s.sendKey);
  const ref = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const empty = !text.trim() && !message.images?.length;

  useEffect(() => {
    const el = ref.current;
    el?.focus();
    el?.setSelectionRange(el.value.length, el.value.length);
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, Math.round(window.innerHeight * 0.4))}px`;
  }, [text]);

  const submit = (): void => {
    if (!running && !empty) onSubmit(text);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    } else if (isSendKey(event, sendKey)) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <div className="w-full max-w-[85%] rounded-2xl border border-line bg-raised p-2 focus-within:border-accent/60 focus-within:ring-2 focus-within:ring-accent/20">
      <textarea
        ref={ref}
        rows={1}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        aria-label="Edit message"
        aria-describedby={hintId}
        className="block max-h-[40vh] w-full resize-none bg-transparent px-2 py-1 text-[15px] leading-7 text-ink focus:outline-none"
      />
      <div className="flex items-center justify-end gap-2 pt-1">
        <p id={hintId} className="mr-auto hidden truncate px-2 text-xs text-muted sm:block">
          {running
            ? "Wait for the reply to finish, or stop it"
            : `${sendKeyHint(sendKey)}. Later messages are replaced.`}
        </p>
        <button type="button" className="btn-secondary px-3 py-1" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="rounded-lg bg-accent px-3 py-1 text-sm font-medium text-accent-ink hover:bg-accent/90 disabled:opacity-40"
          onClick={submit}
          disabled={running || empty}
        >
          Send
        </button>
      </div>
    </div>
  );
}
