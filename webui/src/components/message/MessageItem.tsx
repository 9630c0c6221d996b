import { memo, useCallback, useEffect } from "react";
import { renderStats } from "../../lib/renderStats";
import { editAndResend, regenerateReply } from "../../services/generation";
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
  const regenerate = useCallback(() => void regenerateReply(chatId, id), [chatId, id]);
  const edit = useCallback((text: string) => void editAndResend(chatId, id, text), [chatId, id]);
  if (!message) return null;
  if (message.role === "user") return <UserMessage message={message} onEdit={edit} />;
  const actions =
    !isLast || streaming
      ? {}
      : message.status === "error"
        ? { onRetry: regenerate }
        : { onRegenerate: regenerate };
  return <AssistantMessage message={message} {...actions} />;
});
