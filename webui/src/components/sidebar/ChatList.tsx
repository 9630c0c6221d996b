import { useCallback, useId, useMemo, useState, type KeyboardEvent } from "react";
import { useShallow } from "zustand/react/shallow";
import { stopReply } from "../../services/generation";
import { deleteChats, openChat, renameChat, setPinned, sortedChats, useChats } from "../../stores/chats";
import type { Chat } from "../../types";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { ChatListItem } from "./ChatListItem";
import { useMessageSearch } from "./useChatSearch";

const DAY = 24 * 60 * 60 * 1000;

function groupOf(chat: Chat, now: number): string {
  if (chat.pinned) return "Pinned";
  const { updatedAt } = chat;
  const startOfToday = new Date(now).setHours(0, 0, 0, 0);
  if (updatedAt >= startOfToday) return "Today";
  if (updatedAt >= startOfToday - DAY) return "Yesterday";
  if (updatedAt >= startOfToday - 7 * DAY) return "Previous 7 days";
  return "Older";
}

interface ChatListProps {
  query: string;
  onOpened: () => void;
}

/** The chats, most recently used first, grouped by day; filtered by title and message text. */
export function ChatList({ query, onOpened }: ChatListProps) {
  const chats = useChats(useShallow((s) => sortedChats(s.chats)));
  const activeId = useChats((s) => s.activeId);
  const running = useChats((s) => s.running);
  const hits = useMessageSearch(query);
  const [toDelete, setToDelete] = useState<Chat | null>(null);
  const [focusId, setFocusId] = useState<string | null>(null);
  const hintId = useId();

  const shown = useMemo(() => {
    const q = query.trim().toLocaleLowerCase();
    if (!q) return chats;
    return chats.filter((c) => c.title.toLocaleLowerCase().includes(q) || hits?.has(c.id));
  }, [chats, hits, query]);

  const groups = useMemo(() => {
    const now = Date.now();
    const out: { label: string; chats: Chat[] }[] = [];
    for (const chat of shown) {
      const label = query.trim() ? "Results" : groupOf(chat, now);
      const last = out[out.length - 1];
      if (last?.label === label) last.chats.push(chat);
      else out.push({ label, chats: [chat] });
    }
    return out;
  }, [shown, query]);

  const onOpen = useCallback(
    (id: string) => {
      void openChat(id);
      onOpened();
    },
    [onOpened],
  );
  const onRename = useCallback((id: string, title: string) => void renameChat(id, title), []);
  const onPin = useCallback((id: string, pinned: boolean) => void setPinned(id, pinned), []);

  // Roving focus: the list is one Tab stop (the focused, else the open, else the first chat).
  const tabbableId = [focusId, activeId].find((id) => id && shown.some((c) => c.id === id)) ?? shown[0]?.id;

  const onListKeyDown = (event: KeyboardEvent<HTMLElement>): void => {
    const target = event.target as HTMLElement;
    if (!target.dataset.chatOpen) return;
    const buttons = Array.from(event.currentTarget.querySelectorAll<HTMLElement>("[data-chat-open]"));
    const at = buttons.indexOf(target);
    const to =
      event.key === "ArrowDown"
        ? at + 1
        : event.key === "ArrowUp"
          ? at - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? buttons.length - 1
              : null;
    if (to === null) return;
    event.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, to))]?.focus();
  };

  const confirmDelete = (): void => {
    if (!toDelete) return;
    stopReply(toDelete.id);
    void deleteChats([toDelete.id]);
    setToDelete(null);
  };

  return (
    <nav aria-label="Chats" className="min-h-0 flex-1 overflow-y-auto px-2 pb-2" onKeyDown={onListKeyDown}>
      <p id={hintId} className="sr-only">
        Up and down arrows move between chats; Right arrow or Shift+F10 opens the chat&apos;s actions.
      </p>
      {query.trim() && shown.length === 0 && (
        <p className="px-3 py-6 text-center text-sm text-muted">No chat matches “{query.trim()}”.</p>
      )}
      {!query.trim() && chats.length === 0 && (
        <p className="px-3 py-6 text-center text-sm text-muted">No chats yet.</p>
      )}
      {groups.map((group) => (
        <section key={group.label} aria-label={group.label} className="mt-3 first:mt-1">
          <h2 className="px-3 pb-1 text-xs font-medium text-muted">{group.label}</h2>
          <ul className="flex flex-col gap-0.5">
            {group.chats.map((chat) => (
              <ChatListItem
                key={chat.id}
                chat={chat}
                active={chat.id === activeId}
                running={Boolean(running[chat.id])}
                snippet={query.trim() ? hits?.get(chat.id) : undefined}
                tabbable={chat.id === tabbableId}
                hintId={hintId}
                onOpen={onOpen}
                onRename={onRename}
                onPin={onPin}
                onDelete={setToDelete}
                onFocusChat={setFocusId}
              />
            ))}
          </ul>
        </section>
      ))}
      <ConfirmDialog
        open={toDelete !== null}
        title="Delete chat?"
        message={`“${toDelete?.title ?? ""}” and its messages will be deleted. This cannot be undone.`}
        confirmLabel="Delete"
        onConfirm={confirmDelete}
        onCancel={() => setToDelete(null)}
      />
    </nav>
  );
}
