import { useEffect, useRef } from "react";
import { useAutoScroll } from "../../hooks/useAutoScroll";
import { renderStats } from "../../lib/renderStats";
import { useChats } from "../../stores/chats";
import { MessageItem } from "../message/MessageItem";
import { JumpToLatest } from "./JumpToLatest";

const NO_IDS: string[] = [];

/**
 * The chat's messages. It subscribes only to the list of ids, so streaming text (which changes
 * one message) does not re-render it; it follows new content unless the user scrolled up.
 */
export function MessageList({ chatId, children }: { chatId: string; children?: React.ReactNode }) {
  const ids = useChats((s) => s.threads[chatId]?.ids ?? NO_IDS);
  const scrollRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const { atBottom, jumpToLatest } = useAutoScroll(scrollRef, contentRef, chatId);
  const lastCount = useRef(ids.length);

  useEffect(() => {
    renderStats.messageListCommits++;
  });

  // A prompt just sent always brings the view down to it.
  useEffect(() => {
    const grew = ids.length > lastCount.current;
    lastCount.current = ids.length;
    const last = ids[ids.length - 1];
    if (grew && last && useChats.getState().threads[chatId]?.byId[last]?.role === "user") jumpToLatest();
  }, [ids, chatId, jumpToLatest]);

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={scrollRef}
        id="messages"
        tabIndex={-1}
        aria-label="Conversation"
        role="region"
        className="h-full overflow-y-auto overscroll-contain focus:outline-none"
        data-testid="message-scroller"
      >
        <div ref={contentRef} className="mx-auto flex w-full max-w-3xl flex-col gap-6 px-4 py-6 sm:px-6">
          {ids.length === 0 ? children : null}
          <h2 className="sr-only">Messages</h2>
          <ol aria-label="Messages" className="flex flex-col gap-6">
            {ids.map((id, i) => (
              <li key={id}>
                <MessageItem chatId={chatId} id={id} isLast={i === ids.length - 1} />
              </li>
            ))}
          </ol>
        </div>
      </div>
      {!atBottom && ids.length > 0 && <JumpToLatest onClick={jumpToLatest} />}
    </div>
  );
}
