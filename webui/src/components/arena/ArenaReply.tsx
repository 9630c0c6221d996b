import { memo } from "react";
import { regenerableReply, sideLabel, sideName } from "../../lib/arena";
import { regenerateArenaSide } from "../../services/arenaRun";
import { useChats } from "../../stores/chats";
import type { ArenaSide } from "../../types";
import { AssistantMessage } from "../message/AssistantMessage";
import { SideBadge } from "./SideBadge";

interface ArenaReplyProps {
  chatId: string;
  side: ArenaSide;
  id: string | undefined;
  /** Only the latest turn's replies can be regenerated. */
  latest: boolean;
}

/**
 * One column of a turn: its label (A or B, and the name once known), then the reply rendered
 * like any other (Markdown, reasoning, error, stopped), with Regenerate on the latest turn until
 * the vote. Subscribed to its own record only.
 */
export const ArenaReply = memo(function ArenaReply({ chatId, side, id, latest }: ArenaReplyProps) {
  const message = useChats((s) => (id ? s.threads[chatId]?.byId[id] : undefined));
  const arena = useChats((s) => s.chats[chatId]?.arena);
  const canRegenerate = useChats((s) => {
    const chat = s.chats[chatId];
    if (!latest || !id || s.running[chatId] || !chat?.evaluationSessionId || chat.arena?.vote) return false;
    const thread = s.threads[chatId];
    const messages = thread ? thread.ids.flatMap((m) => thread.byId[m] ?? []) : [];
    return regenerableReply(messages, side)?.id === id;
  });
  const regenerate = canRegenerate ? () => void regenerateArenaSide(chatId, side) : undefined;
  const winner = arena?.vote?.winner;
  const name = (arena && sideName(arena, side)) ?? message?.model ?? null;
  const label = `${sideLabel(side)}${name ? `: ${name}` : ""}`;
  const won = winner === side;
  return (
    <section
      aria-label={label}
      data-testid={`arena-reply-${side}`}
      className={`min-w-0 rounded-2xl border bg-raised p-3 sm:p-4 ${won ? "border-accent" : "border-line"}`}
    >
      <h3 className="mb-2 flex min-w-0 items-center gap-2 text-xs font-medium text-muted">
        <SideBadge side={side} />
        <span className="truncate">{label}</span>
        {won && <span className="ml-auto shrink-0 text-accent-text">Your pick</span>}
      </h3>
      {message ? (
        <AssistantMessage
          message={{ ...message, model: undefined }}
          {...(regenerate ? { onRegenerate: regenerate, onRetry: regenerate } : {})}
        />
      ) : (
        <p className="text-sm text-muted">No reply.</p>
      )}
    </section>
  );
});
