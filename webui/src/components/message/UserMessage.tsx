import { Pencil } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { focusComposer } from "../../stores/ui";
import type { Message } from "../../types";
import { CopyButton } from "../ui/CopyButton";
import { ImageGrid } from "./ImageGrid";
import { MessageEditor } from "./MessageEditor";

interface UserMessageProps {
  message: Message;
  /** Sends the message again with new text (the later messages are replaced). */
  onEdit: (text: string) => void;
}

/** The user's prompt: a bubble on the right, with its images; it can be edited and sent again. */
export function UserMessage({ message, onEdit }: UserMessageProps) {
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const cancelled = useRef(false);
  useEffect(() => {
    // Giving up an edit brings focus back to the Edit button.
    if (!editing && cancelled.current) editButton.current?.focus();
    cancelled.current = false;
  }, [editing]);
  return (
    <article aria-label="Your message" className="group flex flex-col items-end gap-1.5">
      {message.images?.length ? (
        <ImageGrid images={message.images} label="Attached image" size="small" />
      ) : null}
      {editing ? (
        <MessageEditor
          message={message}
          onCancel={() => {
            cancelled.current = true;
            setEditing(false);
          }}
          onSubmit={(text) => {
            setEditing(false);
            onEdit(text);
            focusComposer();
          }}
        />
      ) : (
        <div className="flex max-w-[85%] items-center gap-1">
          <div className="flex shrink-0 opacity-100 transition-opacity focus-within:opacity-100 sm:opacity-0 sm:group-hover:opacity-100">
            {message.content && <CopyButton text={message.content} label="Copy message" />}
            <button
              ref={editButton}
              type="button"
              className="icon-btn h-8 w-8"
              aria-label="Edit message"
              title="Edit and send again"
              onClick={() => setEditing(true)}
            >
              <Pencil className="h-4 w-4" aria-hidden />
            </button>
          </div>
          {message.content && (
            <div className="min-w-0 whitespace-pre-wrap rounded-2xl [overflow-wrap:anywhere] bg-user-bubble px-4 py-2.5 text-[15px] leading-7">
              {message.content}
            </div>
          )}
        </div>
      )}
    </article>
  );
}
