import type { Message } from "../../types";
import { CopyButton } from "../ui/CopyButton";
import { ImageGrid } from "./ImageGrid";

/** The user's prompt: a bubble on the right, with its images. */
export function UserMessage({ message }: { message: Message }) {
  return (
    <article aria-label="Your message" className="group flex flex-col items-end gap-1.5">
      {message.images?.length ? <ImageGrid images={message.images} label="Attached image" size="small" /> : null}
      {message.content && (
        <div className="flex max-w-[85%] items-center gap-1">
          <div className="shrink-0 opacity-100 transition-opacity focus-within:opacity-100 sm:opacity-0 sm:group-hover:opacity-100">
            <CopyButton text={message.content} label="Copy message" />
          </div>
          <div className="min-w-0 whitespace-pre-wrap break-words rounded-2xl bg-user-bubble px-4 py-2.5 text-[15px] leading-7">
            {message.content}
          </div>
        </div>
      )}
    </article>
  );
}
