import { Pencil, Trash2 } from "lucide-react";
import { memo, useEffect, useRef, useState } from "react";
import type { Chat } from "../../types";

interface ChatListItemProps {
  chat: Chat;
  active: boolean;
  running: boolean;
  snippet: string | undefined;
  onOpen: (id: string) => void;
  onRename: (id: string, title: string) => void;
  onDelete: (chat: Chat) => void;
}

/** A chat in the sidebar: open it, rename it in place, or delete it. */
export const ChatListItem = memo(function ChatListItem({ chat, active, running, snippet, onOpen, onRename, onDelete }: ChatListItemProps) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(chat.title);
  const inputRef = useRef<HTMLInputElement>(null);
  const renameRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (editing) inputRef.current?.select();
  }, [editing]);

  const finish = (save: boolean): void => {
    if (!editing) return;
    setEditing(false);
    if (save && title.trim() && title.trim() !== chat.title) onRename(chat.id, title);
    requestAnimationFrame(() => renameRef.current?.focus());
  };

  return (
    <li
      className={`group relative flex items-center rounded-lg ${active ? "bg-ink/[0.07]" : "hover:bg-ink/[0.04]"}`}
      data-testid="chat-item"
    >
      {editing ? (
        <input
          ref={inputRef}
          aria-label="Chat title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          onBlur={() => finish(true)}
          onKeyDown={(e) => {
            if (e.key === "Enter") finish(true);
            if (e.key === "Escape") {
              e.stopPropagation();
              setTitle(chat.title);
              finish(false);
            }
          }}
          className="field m-1 py-1.5"
        />
      ) : (
        <>
          <button
            type="button"
            onClick={() => onOpen(chat.id)}
            aria-current={active ? "page" : undefined}
            className="min-w-0 flex-1 rounded-lg px-3 py-2 text-left text-sm"
          >
            <span className="flex items-center gap-2">
              {running && (
                <span className="relative order-first flex h-2 w-2 shrink-0" title="Replying" aria-hidden>
                  <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-accent opacity-60" />
                  <span className="relative inline-flex h-2 w-2 rounded-full bg-accent" />
                </span>
              )}
              <span className="truncate">{chat.title}</span>
              {running && <span className="sr-only"> (replying)</span>}
            </span>
            {snippet && <span className="mt-0.5 block truncate text-xs text-muted">{snippet}</span>}
          </button>
          <div
            className={`flex shrink-0 items-center pr-1 transition-opacity focus-within:opacity-100 group-hover:opacity-100 ${
              active ? "opacity-100" : "opacity-100 md:opacity-0"
            }`}
          >
            <button
              ref={renameRef}
              type="button"
              className="icon-btn h-7 w-7"
              aria-label={`Rename chat “${chat.title}”`}
              onClick={() => {
                setTitle(chat.title);
                setEditing(true);
              }}
            >
              <Pencil className="h-3.5 w-3.5" aria-hidden />
            </button>
            <button type="button" className="icon-btn h-7 w-7 hover:text-danger" aria-label={`Delete chat “${chat.title}”`} onClick={() => onDelete(chat)}>
              <Trash2 className="h-3.5 w-3.5" aria-hidden />
            </button>
          </div>
        </>
      )}
    </li>
  );
});
