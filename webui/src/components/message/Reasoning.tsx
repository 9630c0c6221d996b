import { ChevronRight } from "lucide-react";
import { useState } from "react";

interface ReasoningProps {
  text: string;
  /** The model is still thinking (no answer text yet). */
  thinking: boolean;
}

/** The model's reasoning, collapsed behind a toggle. */
export function Reasoning({ text, thinking }: ReasoningProps) {
  const [open, setOpen] = useState(false);
  return (
    <details
      className="group/reasoning mb-3 rounded-xl border border-line bg-surface/60"
      open={open}
      onToggle={(e) => setOpen(e.currentTarget.open)}
    >
      <summary className="flex cursor-pointer list-none items-center gap-1.5 rounded-xl px-3 py-2 text-sm text-muted hover:text-ink [&::-webkit-details-marker]:hidden">
        <ChevronRight className="h-4 w-4 transition-transform group-open/reasoning:rotate-90" aria-hidden />
        <span className={thinking ? "animate-pulse" : undefined}>{thinking ? "Thinking…" : "Reasoning"}</span>
      </summary>
      <div className="whitespace-pre-wrap border-t border-line px-3 py-2 text-sm leading-6 text-muted [overflow-wrap:anywhere]">
        {text}
      </div>
    </details>
  );
}
