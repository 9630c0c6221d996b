import { Columns2, Swords } from "lucide-react";
import { newChat, useChats } from "../../stores/chats";
import { useSettings } from "../../stores/settings";
import { focusComposer } from "../../stores/ui";
import { HeaderBar } from "../chat/HeaderBar";
import { SessionIdButton } from "../chat/SessionIdButton";

/** Above an arena chat: its mode, the session id, and (phone) the chat list and New chat. */
export function ArenaHeader({ chatId, compact }: { chatId: string; compact: boolean }) {
  const chat = useChats((s) => s.chats[chatId]);
  const arena = chat?.arena;
  if (!chat || !arena) return null;
  const battle = arena.mode === "battle";
  const Icon = battle ? Swords : Columns2;
  const startNew = (): void => {
    void newChat(useSettings.getState().lastModel).then(() => focusComposer());
  };
  return (
    <HeaderBar title={chat.title} compact={compact} onNewChat={startNew}>
      <p className="flex min-w-0 flex-1 items-center gap-2 px-2 text-sm" data-testid="arena-mode">
        <Icon className="h-4 w-4 shrink-0 text-accent-text" aria-hidden />
        <span className="truncate font-medium">{battle ? "Battle" : "Compare"}</span>
        <span className="hidden truncate text-muted sm:inline">
          {battle ? "· two anonymous models, revealed by your vote" : "· two models side by side"}
        </span>
      </p>
      <SessionIdButton sessionId={chat.evaluationSessionId} />
    </HeaderBar>
  );
}
