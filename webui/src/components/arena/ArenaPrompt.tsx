import { useChats } from "../../stores/chats";
import { ImageGrid } from "../message/ImageGrid";

/** A turn's prompt, sent to both models. */
export function ArenaPrompt({ chatId, id }: { chatId: string; id: string }) {
  const message = useChats((s) => s.threads[chatId]?.byId[id]);
  if (!message) return null;
  return (
    <article aria-label="Your message" className="flex flex-col items-end gap-1.5">
      {message.images?.length ? (
        <ImageGrid images={message.images} label="Attached image" size="small" />
      ) : null}
      {message.content && (
        <div className="max-w-[85%] whitespace-pre-wrap rounded-2xl bg-user-bubble px-4 py-2.5 text-[15px] leading-7 [overflow-wrap:anywhere]">
          {message.content}
        </div>
      )}
    </article>
  );
}
