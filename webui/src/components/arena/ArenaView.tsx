import { useChats } from "../../stores/chats";
import { ModelsNotice } from "../chat/ModelsNotice";
import { ArenaColumns } from "./ArenaColumns";
import { ArenaComposer } from "./ArenaComposer";
import { ArenaHeader } from "./ArenaHeader";
import { ArenaTurns } from "./ArenaTurns";

/** A compare or battle chat: the mode, the two columns' models, the turns, the prompt box. */
export function ArenaView({ chatId, compact }: { chatId: string; compact: boolean }) {
  const running = useChats((s) => Boolean(s.running[chatId]));
  return (
    <main className="relative flex min-w-0 flex-1 flex-col" data-testid="arena-view">
      <ArenaHeader chatId={chatId} compact={compact} />
      <ArenaColumns chatId={chatId} />
      <ArenaTurns chatId={chatId} />
      <ModelsNotice />
      <ArenaComposer chatId={chatId} />
      <p className="sr-only" role="status">
        {running ? "Both models are replying." : ""}
      </p>
    </main>
  );
}
