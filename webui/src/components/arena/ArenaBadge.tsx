import { Columns2, Swords } from "lucide-react";
import { modeLabel } from "../../lib/arena";
import type { ArenaMode } from "../../types";

/** Marks an arena chat in the chat list: "Compare" or "Battle". */
export function ArenaBadge({ mode }: { mode: ArenaMode }) {
  const Icon = mode === "battle" ? Swords : Columns2;
  return (
    <span
      className="inline-flex shrink-0 items-center gap-1 rounded-md border border-line px-1.5 py-px text-[11px] font-medium text-muted"
      data-testid="arena-badge"
    >
      <Icon className="h-3 w-3" aria-hidden />
      {modeLabel(mode)}
    </span>
  );
}
