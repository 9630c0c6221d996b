import { useEffect } from "react";
import { defaultPair, SIDES, sideLabel, sideName } from "../../lib/arena";
import { chooseArenaModel } from "../../services/arenaChats";
import { updateChat, useChats } from "../../stores/chats";
import { useModels } from "../../stores/models";
import { useSettings } from "../../stores/settings";
import type { ArenaSide, ChatArena } from "../../types";
import { ArenaModelSelect } from "./ArenaModelSelect";
import { SideBadge } from "./SideBadge";

/** What a column's heading says: the model's name, or "hidden" in a battle before the vote. */
function ColumnName({ arena, side }: { arena: ChatArena; side: ArenaSide }) {
  const name = sideName(arena, side);
  if (name) return <span className="truncate font-medium">{name}</span>;
  return (
    <span className="truncate text-muted">
      {sideLabel(side)}
      <span className="text-xs"> · {arena.mode === "battle" ? "hidden until you vote" : "not chosen"}</span>
    </span>
  );
}

/**
 * The two columns' headings, above the turns. A side-by-side chat chooses its models here until
 * its first prompt; a battle's names appear once the vote reveals them.
 */
export function ArenaColumns({ chatId }: { chatId: string }) {
  const arena = useChats((s) => s.chats[chatId]?.arena);
  const choosing = useChats(
    (s) => s.chats[chatId]?.arena?.mode === "side-by-side" && (s.threads[chatId]?.ids.length ?? 0) === 0,
  );
  const { models, status } = useModels();
  const lastModel = useSettings((s) => s.lastModel);

  // A compare chat opened before the model list arrived takes its default pair now.
  useEffect(() => {
    if (!arena || !choosing || status !== "ready" || (arena.modelA && arena.modelB)) return;
    const pair = defaultPair(models, lastModel);
    const modelA = arena.modelA ?? pair.modelA;
    const modelB = arena.modelB ?? (pair.modelB === modelA ? pair.modelA : pair.modelB);
    if (modelA === arena.modelA && modelB === arena.modelB) return;
    void updateChat(chatId, { arena: { ...arena, modelA, modelB } });
  }, [arena, choosing, status, models, lastModel, chatId]);

  if (!arena) return null;
  return (
    <div
      className="grid shrink-0 grid-cols-2 gap-2 border-b border-line bg-surface/60 px-3 py-2 sm:px-6"
      data-testid="arena-columns"
    >
      <h2 className="sr-only">Models</h2>
      {SIDES.map((side) => (
        <div
          key={side}
          className="flex min-w-0 items-center gap-2 text-sm"
          data-testid={`arena-column-${side}`}
        >
          <SideBadge side={side} />
          {choosing ? (
            <ArenaModelSelect
              side={side}
              value={sideName(arena, side)}
              other={sideName(arena, side === "a" ? "b" : "a")}
              onChange={(model) => void chooseArenaModel(chatId, side, model)}
            />
          ) : (
            <>
              <span className="sr-only">{sideLabel(side)}: </span>
              <ColumnName arena={arena} side={side} />
            </>
          )}
        </div>
      ))}
    </div>
  );
}
