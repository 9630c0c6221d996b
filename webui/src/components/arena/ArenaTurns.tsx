import { Columns2, Swords } from "lucide-react";
import { useEffect, useMemo, useRef } from "react";
import { useAutoScroll } from "../../hooks/useAutoScroll";
import { arenaTurns } from "../../lib/arena";
import { useChats, type Thread } from "../../stores/chats";
import type { ArenaMode } from "../../types";
import { ArenaTurnView } from "./ArenaTurnView";
import { JumpToLatest } from "../chat/JumpToLatest";

/**
 * The thread's structure as a string ("u:id a:id b:id …"): it changes only when messages are
 * added or removed, so streaming text does not re-render the list.
 */
function shapeOf(thread: Thread | undefined): string {
  if (!thread) return "";
  return thread.ids
    .map((id) => {
      const m = thread.byId[id];
      return m?.role === "user" ? `u:${id}` : m?.side ? `${m.side}:${id}` : "";
    })
    .join(" ");
}

function fromShape(shape: string) {
  const messages = shape
    .split(" ")
    .filter(Boolean)
    .map((part) => {
      const [kind = "", id = ""] = part.split(":");
      return kind === "u"
        ? { id, role: "user" as const }
        : { id, role: "assistant" as const, side: kind === "a" ? ("a" as const) : ("b" as const) };
    });
  return arenaTurns(messages);
}

function ArenaIntro({ mode }: { mode: ArenaMode }) {
  const Icon = mode === "battle" ? Swords : Columns2;
  return (
    <div className="flex flex-col items-center gap-3 py-12 text-center">
      <div className="flex h-12 w-12 items-center justify-center rounded-2xl bg-accent/10 text-accent-text">
        <Icon className="h-6 w-6" aria-hidden />
      </div>
      <h2 className="text-lg font-semibold">{mode === "battle" ? "Battle" : "Compare two models"}</h2>
      <p className="max-w-md text-sm text-muted">
        {mode === "battle"
          ? "Two anonymous models answer each prompt side by side. Vote for the better answer to learn who they are."
          : "Choose model A and model B above, then send a prompt: both answer at once, side by side. Vote for the better answer."}
      </p>
    </div>
  );
}

/** The arena chat's turns, following new content unless the user scrolled up. */
export function ArenaTurns({ chatId }: { chatId: string }) {
  const shape = useChats((s) => shapeOf(s.threads[chatId]));
  const mode = useChats((s) => s.chats[chatId]?.arena?.mode ?? "side-by-side");
  const turns = useMemo(() => fromShape(shape), [shape]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const { atBottom, jumpToLatest } = useAutoScroll(scrollRef, contentRef, chatId);
  const lastCount = useRef(turns.length);

  // A prompt just sent always brings the view down to it.
  useEffect(() => {
    if (turns.length > lastCount.current) jumpToLatest();
    lastCount.current = turns.length;
  }, [turns.length, jumpToLatest]);

  return (
    <div className="relative min-h-0 flex-1">
      <div
        ref={scrollRef}
        id="messages"
        tabIndex={-1}
        role="region"
        aria-label="Conversation"
        className="h-full overflow-y-auto overscroll-contain focus:outline-none"
        data-testid="message-scroller"
      >
        <div ref={contentRef} className="mx-auto flex w-full max-w-6xl flex-col gap-8 px-3 py-6 sm:px-6">
          {turns.length === 0 && <ArenaIntro mode={mode} />}
          <h2 className="sr-only">Turns</h2>
          <ol aria-label="Turns" className="flex flex-col gap-8">
            {turns.map((turn, i) => (
              <li key={turn.promptId}>
                <ArenaTurnView chatId={chatId} turn={turn} latest={i === turns.length - 1} />
              </li>
            ))}
          </ol>
        </div>
      </div>
      {!atBottom && turns.length > 0 && <JumpToLatest onClick={jumpToLatest} />}
    </div>
  );
}
