import { Columns2, Menu, SquarePen, Swords } from "lucide-react";
import { newChat, useChats } from "../../stores/chats";
import { useSettings } from "../../stores/settings";
import { focusComposer, openDrawer } from "../../stores/ui";
import { SessionIdButton } from "../chat/SessionIdButton";

/** Above an arena chat: its mode, the session id, and (phone) the chat list and New chat. */
export function ArenaHeader({ chatId, compact }: { chatId: string; compact: boolean }) {
  const chat = useChats((s) => s.chats[chatId]);
  const arena = chat?.arena;
  if (!chat || !arena) return null;
  const battle = arena.mode === "battle";
  const Icon = battle ? Swords : Columns2;
  return (
    <header className="flex h-14 shrink-0 items-center gap-1 border-b border-line px-2 sm:px-4">
      {compact && (
        <button type="button" className="icon-btn" aria-label="Open chat list" onClick={() => openDrawer()}>
          <Menu className="h-5 w-5" aria-hidden />
        </button>
      )}
      <h1 className="sr-only">{chat.title}</h1>
      <p className="flex min-w-0 flex-1 items-center gap-2 px-2 text-sm" data-testid="arena-mode">
        <Icon className="h-4 w-4 shrink-0 text-accent-text" aria-hidden />
        <span className="truncate font-medium">{battle ? "Battle" : "Compare"}</span>
        <span className="hidden truncate text-muted sm:inline">
          {battle ? "· two anonymous models, revealed by your vote" : "· two models side by side"}
        </span>
      </p>
      <SessionIdButton sessionId={chat.evaluationSessionId} />
      {compact && (
        <button
          type="button"
          className="icon-btn h-8 w-8"
          aria-label="New chat"
          onClick={() => {
            void newChat(useSettings.getState().lastModel).then(() => focusComposer());
          }}
        >
          <SquarePen className="h-4 w-4" aria-hidden />
        </button>
      )}
    </header>
  );
}
