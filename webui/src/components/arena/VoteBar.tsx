import { AlertTriangle, Check, Loader2 } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { VOTE_CHOICES, verdictText, type ArenaTurn } from "../../lib/arena";
import { voteArena, voteErrorText } from "../../services/arenaChats";
import { useChats } from "../../stores/chats";
import type { ArenaWinner } from "../../types";

interface VoteBarProps {
  chatId: string;
  turn: ArenaTurn;
  /** Only the latest turn can be judged. */
  latest: boolean;
}

/**
 * Under the latest turn once both answers are complete: which is better? One vote per chat; it
 * reveals a battle's models. After the vote the buttons stay, disabled, with the verdict.
 */
export function VoteBar({ chatId, turn, latest }: VoteBarProps) {
  const arena = useChats((s) => s.chats[chatId]?.arena);
  const hasSession = useChats((s) => Boolean(s.chats[chatId]?.evaluationSessionId));
  const running = useChats((s) => Boolean(s.running[chatId]));
  const complete = useChats((s) => {
    const byId = s.threads[chatId]?.byId;
    const done = (id: string | undefined): boolean => Boolean(id && byId?.[id]?.status === "done");
    return done(turn.a) && done(turn.b);
  });
  const [pending, setPending] = useState<ArenaWinner | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refused, setRefused] = useState(false);
  const verdictRef = useRef<HTMLParagraphElement>(null);
  const justVoted = useRef(false);
  const vote = arena?.vote;
  const judged = vote?.promptId === turn.promptId;

  useEffect(() => {
    if (judged && justVoted.current) verdictRef.current?.focus();
    justVoted.current = false;
  }, [judged]);

  if (!arena) return null;
  if (!judged && (!latest || vote || running || !hasSession || !complete)) return null;

  const cast = async (winner: ArenaWinner): Promise<void> => {
    setPending(winner);
    setError(null);
    try {
      justVoted.current = true;
      await voteArena(chatId, winner);
    } catch (failure) {
      justVoted.current = false;
      setError(voteErrorText(failure));
      setRefused(true);
    } finally {
      setPending(null);
    }
  };

  const locked = judged || pending !== null || refused;
  return (
    <div
      role="group"
      aria-label="Vote: which answer is better?"
      className="flex flex-col gap-2 rounded-2xl border border-line bg-surface px-3 py-2.5"
      data-testid="vote-bar"
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="mr-1 text-sm font-medium">{judged ? "Your vote" : "Which answer is better?"}</span>
        {VOTE_CHOICES.map(({ winner, label }) => {
          const chosen = vote?.winner === winner && judged;
          return (
            <button
              key={winner}
              type="button"
              className={`btn-secondary px-2.5 py-1 ${chosen ? "border-accent text-accent-text disabled:opacity-100" : ""}`}
              disabled={locked}
              aria-pressed={judged ? chosen : undefined}
              onClick={() => void cast(winner)}
            >
              {pending === winner ? (
                <Loader2 className="h-4 w-4 animate-spin" aria-hidden />
              ) : chosen ? (
                <Check className="h-4 w-4" aria-hidden />
              ) : null}
              {label}
            </button>
          );
        })}
      </div>
      {judged && vote && (
        <p ref={verdictRef} tabIndex={-1} role="status" className="text-sm" data-testid="vote-verdict">
          {verdictText(arena, vote.winner)}
          {arena.mode === "battle" && arena.modelA && arena.modelB && (
            <>
              {" "}
              Revealed: Model A is <strong>{arena.modelA}</strong>, Model B is <strong>{arena.modelB}</strong>
              .
            </>
          )}
        </p>
      )}
      {error && (
        <p role="alert" className="flex items-start gap-2 text-sm text-danger" data-testid="vote-error">
          <AlertTriangle className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
          {error}
        </p>
      )}
    </div>
  );
}
