import { formatDuration, formatWhen } from "../../lib/format";
import type { Message } from "../../types";

/** When a reply was asked for, how long its first token took, and how long the whole reply. */
export function ReplyTiming({ message }: { message: Message }) {
  const at = new Date(message.createdAt);
  const parts: string[] = [];
  if (message.firstTokenMs !== undefined) parts.push(`first token ${formatDuration(message.firstTokenMs)}`);
  if (message.durationMs !== undefined) parts.push(`${formatDuration(message.durationMs)} total`);
  return (
    <span className="whitespace-nowrap" data-testid="reply-timing">
      <time dateTime={at.toISOString()} title={at.toLocaleString()}>
        {formatWhen(message.createdAt)}
      </time>
      {parts.map((part) => (
        <span key={part}> · {part}</span>
      ))}
    </span>
  );
}
