import type { ClipboardEvent, KeyboardEvent, RefObject } from "react";
import { setDraftText } from "../../stores/drafts";

interface MessageBoxProps {
  chatId: string;
  text: string;
  textRef: RefObject<HTMLTextAreaElement | null>;
  placeholder: string;
  /** The id of the hint under the box (send key, why sending is blocked). */
  hintId: string;
  /** A `max-h-[…vh]` class matching the share `useComposerBox` grows the box to. */
  maxHeight: string;
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => void;
  onPaste?: (event: ClipboardEvent<HTMLTextAreaElement>) => void;
}

/** The labelled message box of both composers; what is typed is the chat's draft. */
export function MessageBox({
  chatId,
  text,
  textRef,
  placeholder,
  hintId,
  maxHeight,
  onKeyDown,
  onPaste,
}: MessageBoxProps) {
  return (
    <>
      <label htmlFor="message-input" className="sr-only">
        Message
      </label>
      <textarea
        id="message-input"
        ref={textRef}
        rows={1}
        value={text}
        onChange={(e) => setDraftText(chatId, e.target.value)}
        onKeyDown={onKeyDown}
        {...(onPaste ? { onPaste } : {})}
        placeholder={placeholder}
        aria-describedby={hintId}
        className={`block ${maxHeight} w-full resize-none bg-transparent px-4 pb-1 pt-3 text-base leading-6 text-ink placeholder:text-muted focus:outline-none sm:text-[15px]`}
      />
    </>
  );
}
