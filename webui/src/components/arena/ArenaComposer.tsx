import { useId, type KeyboardEvent } from "react";
import { isSendKey, sendKeyHint } from "../../lib/sendKey";
import { arenaNotReady } from "../../services/arenaRequest";
import { sendArenaPrompt } from "../../services/arenaRun";
import { stopReply } from "../../services/generation";
import { useChats } from "../../stores/chats";
import { clearDraft, EMPTY_DRAFT, useDrafts } from "../../stores/drafts";
import { useSettings } from "../../stores/settings";
import { notify } from "../../stores/ui";
import type { ChatArena } from "../../types";
import { MessageBox } from "../chat/MessageBox";
import { SendStopButton } from "../chat/SendStopButton";
import { useComposerBox } from "../chat/useComposerBox";

function placeholder(arena: ChatArena): string {
  if (arena.mode === "battle") return "Message both anonymous models";
  if (arena.modelA && arena.modelB) return `Message ${arena.modelA} and ${arena.modelB}`;
  return "Choose two models to start";
}

/** The arena's prompt box: one prompt goes to both models; Stop (or Esc) ends both replies. */
export function ArenaComposer({ chatId }: { chatId: string }) {
  const arena = useChats((s) => s.chats[chatId]?.arena);
  const draft = useDrafts((s) => s.drafts[chatId] ?? EMPTY_DRAFT);
  const running = useChats((s) => Boolean(s.running[chatId]));
  const sendKey = useSettings((s) => s.sendKey);
  const textRef = useComposerBox(chatId, draft.text, 0.3);
  const hintId = useId();

  if (!arena) return null;
  const blocked = arenaNotReady(arena);
  const hasText = draft.text.trim() !== "";

  const send = (): void => {
    if (running || !hasText) return;
    if (blocked) {
      notify(blocked, "error");
      return;
    }
    const text = draft.text;
    clearDraft(chatId);
    void sendArenaPrompt(chatId, text);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (isSendKey(event, sendKey)) {
      event.preventDefault();
      send();
    }
  };

  return (
    <div className="mx-auto w-full max-w-3xl px-3 pb-3 pt-2 sm:px-6 sm:pb-4">
      <div className="rounded-2xl border border-line bg-raised shadow-sm focus-within:border-accent/60 focus-within:ring-2 focus-within:ring-accent/20">
        <MessageBox
          chatId={chatId}
          text={draft.text}
          textRef={textRef}
          placeholder={placeholder(arena)}
          hintId={hintId}
          maxHeight="max-h-[30vh]"
          onKeyDown={onKeyDown}
        />
        <div className="flex items-center justify-between gap-2 px-2 pb-2">
          <p id={hintId} className="truncate px-2 text-xs text-muted">
            <span className="hidden sm:inline">{blocked && hasText ? blocked : sendKeyHint(sendKey)}</span>
            <span className="sm:hidden">{blocked ?? "Both models answer"}</span>
          </p>
          <SendStopButton
            running={running}
            onStop={() => stopReply(chatId)}
            onSend={send}
            sendDisabled={!hasText || blocked !== null}
            stopTitle="Stop both replies (Esc)"
          />
        </div>
      </div>
    </div>
  );
}
