import { memo } from "react";
import type { ArenaTurn } from "../../lib/arena";
import { ArenaPrompt } from "./ArenaPrompt";
import { ArenaReply } from "./ArenaReply";
import { VoteBar } from "./VoteBar";

interface ArenaTurnViewProps {
  chatId: string;
  turn: ArenaTurn;
  latest: boolean;
}

/** A prompt, both replies (side by side on wide screens, A above B on narrow ones), the vote. */
export const ArenaTurnView = memo(function ArenaTurnView({ chatId, turn, latest }: ArenaTurnViewProps) {
  return (
    <div className="flex flex-col gap-3" data-testid="arena-turn">
      <ArenaPrompt chatId={chatId} id={turn.promptId} />
      <div className="grid grid-cols-1 gap-3 lg:grid-cols-2" data-testid="arena-replies">
        <ArenaReply chatId={chatId} side="a" id={turn.a} latest={latest} />
        <ArenaReply chatId={chatId} side="b" id={turn.b} latest={latest} />
      </div>
      <VoteBar chatId={chatId} turn={turn} latest={latest} />
    </div>
  );
});
