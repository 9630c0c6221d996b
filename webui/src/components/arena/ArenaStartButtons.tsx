import { Columns2, Swords } from "lucide-react";
import { startArenaChat } from "../../services/arenaChats";
import { useModels } from "../../stores/models";
import { focusComposer, notify } from "../../stores/ui";
import type { ArenaMode } from "../../types";

/** "Compare" (two models of your choice, side by side) and "Battle" (two anonymous models). */
export function ArenaStartButtons({ onStarted }: { onStarted: () => void }) {
  // Known once the model list has loaded: a server without the arena lists no `battle` entry.
  const noBattle = useModels((s) => s.status === "ready" && !(s.arenaModes ?? []).includes("battle"));
  const start = (mode: ArenaMode): void => {
    if (mode === "battle" && noBattle) {
      notify("This server offers no battle mode.", "error");
      return;
    }
    void startArenaChat(mode).then(() => focusComposer());
    onStarted();
  };
  return (
    <div className="grid grid-cols-2 gap-1 px-3 pb-2" role="group" aria-label="Arena">
      <button
        type="button"
        className="btn-ghost justify-start px-2 py-1.5"
        aria-label="New compare chat"
        title="Two models of your choice answer side by side"
        onClick={() => start("side-by-side")}
      >
        <Columns2 className="h-4 w-4 text-muted" aria-hidden /> Compare
      </button>
      <button
        type="button"
        className="btn-ghost justify-start px-2 py-1.5 aria-disabled:cursor-not-allowed aria-disabled:opacity-50"
        aria-label="New battle chat"
        aria-disabled={noBattle}
        title={
          noBattle
            ? "This server offers no battle mode"
            : "Two anonymous models answer; your vote reveals them"
        }
        onClick={() => start("battle")}
      >
        <Swords className="h-4 w-4 text-muted" aria-hidden /> Battle
      </button>
    </div>
  );
}
