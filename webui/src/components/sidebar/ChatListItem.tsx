import { MoreHorizontal, Pin } from "lucide-react";
import { memo, useEffect, useRef, useState } from "react";
import type { Chat } from "../../types";
import { ArenaBadge } from "../arena/ArenaBadge";
import { ChatActionsMenu, type ChatAction } from "./ChatActionsMenu";

interface ChatListItemProps {
  chat: Chat;
  active: boolean;
  running: boolean;
  snippet: string | undefined;
  /** This chat's button is the list's one Tab stop (roving focus). */
  tabbable: boolean;
  /** Id of the text that explains the list's keys. */
  hintId: string;
  onOpen: (id: string) => void;
  onRename: (id: string, title: string) => void;
  onPin: (id: string, pinned: boolean) => void;
  onDelete: (chat: Chat) => void;
  onFocusChat: (id: string) => void;
}

/**
 * A chat in the sidebar: one Tab stop (the chat itself). Its actions (rename, pin, delete) are in
 * a menu opened by the "…" button, the Right arrow, Shift+F10 or the context-menu key; F2 renames
 * and Delete deletes at once.
 */
export const ChatListItem = memo(function ChatListItem({
  chat,
  active,
  running,
  snippet,
  tabbable,
  hintId,
  onOpen,
  onRename,
  onPin,
  onDelete,
  onFocusChat,
}: ChatListItemProps) {
  const [editing, setEditing] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const [title, setTitle] = useState(chat.title);
  const inputRef = useRef<HTMLInputElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const moreRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (editing) inputRef.current?.select();
  }, [editing]);

  const refocus = (): void => {
    requestAnimationFrame(() => openRef.current?.focus());
  };

  const finish = (save: boolean): void => {
    if (!editing) return;
    setEditing(false);
    if (save && title.trim() && title.trim() !== chat.title) onRename(chat.id, title);
    refocus();
  };

  const startRename = (): void => {
    setTitle(chat.title);
    setEditing(true);
  };

  const act = (action: ChatAction): void => {
    setMenuOpen(false);
    if (action === "rename") startRename();
    else if (action === "pin") {
      onPin(chat.id, !chat.pinned);
      refocus();
    } else onDelete(chat);
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
            ref={openRef}
            type="button"
            data-chat-open={chat.id}
            tabIndex={tabbable ? 0 : -1}
            onFocus={() => onFocusChat(chat.id)}
            onClick={() => onOpen(chat.id)}
            onKeyDown={(e) => {
              if (e.key === "ArrowRight" || e.key === "ContextMenu" || (e.shiftKey && e.key === "F10")) {
                e.preventDefault();
                setMenuOpen(true);
              } else if (e.key === "F2") {
                e.preventDefault();
                startRename();
              } else if (e.key === "Delete") {
                e.preventDefault();
                onDelete(chat);
              }
            }}
            aria-current={active ? "page" : undefined}
            aria-describedby={hintId}
            className="min-w-0 flex-1 rounded-lg px-3 py-2 text-left text-sm"
          >
            <span className="flex items-center gap-2">
              {running && (
                <span className="relative order-first flex h-2 w-2 shrink-0" title="Replying" aria-hidden>
                  <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-accent opacity-60" />
                  <span className="relative inline-flex h-2 w-2 rounded-full bg-accent" />
                </span>
              )}
              {chat.pinned && <Pin className="h-3 w-3 shrink-0 text-muted" aria-hidden />}
              <span className="truncate">{chat.title}</span>
              {chat.arena && <ArenaBadge mode={chat.arena.mode} />}
              {chat.pinned && <span className="sr-only"> (pinned)</span>}
              {running && <span className="sr-only"> (replying)</span>}
            </span>
            {snippet && <span className="mt-0.5 block truncate text-xs text-muted">{snippet}</span>}
          </button>
          <button
            ref={moreRef}
            type="button"
            tabIndex={-1}
            aria-haspopup="menu"
            aria-expanded={menuOpen}
            aria-label={`Actions for chat “${chat.title}”`}
            title="Chat actions"
            onClick={() => setMenuOpen((open) => !open)}
            className={`icon-btn mr-1 h-7 w-7 transition-opacity focus-visible:opacity-100 group-hover:opacity-100 ${
              active || menuOpen ? "opacity-100" : "opacity-100 md:opacity-0"
            }`}
          >
            <MoreHorizontal className="h-4 w-4" aria-hidden />
          </button>
          {menuOpen && moreRef.current && (
            <ChatActionsMenu
              anchor={moreRef.current}
              pinned={Boolean(chat.pinned)}
              chatTitle={chat.title}
              onAction={act}
              onClose={() => {
                setMenuOpen(false);
                refocus();
              }}
            />
          )}
        </>
      )}
    </li>
  );
});
