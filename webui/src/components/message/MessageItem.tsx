import { memo, useCallback, useEffect } from "react";
import { renderStats } from "../../lib/renderStats";
import { retryReply } from "../../services/generation";
import { useChats } from "../../stores/chats";
import { AssistantMessage } from "./AssistantMessage";
import { UserMessage } from "./UserMessage";

interface MessageItemProps {
  chatId: string;
  id: string;
  isLast: boolean;
}

/**
 * One message, subscribed to its own record: a delta re-renders only the message it changes,
 * and finished messages (memoized) do not render again while another one streams.
 */
export const MessageItem = memo(function MessageItem({ chatId, id, isLast }: MessageItemProps) {
  const message = useChats((s) => s.threads[chatId]?.byId[id]);
  const streaming = message?.status === "streaming";
  useEffect(() => {
    if (streaming) renderStats.liveMessageCommits++;
    else renderStats.finishedMessageCommits++;
  });
  const retry = useCallback(() => void retryReply(chatId, id), [chatId, id]);
  if (!message) return null;
  if (message.role === "user") return <UserMessage message={message} />;
  return <AssistantMessage message={message} {...(isLast && message.status === "error" ? { onRetry: retry } : {})} />;
});
