import { Paperclip } from "lucide-react";
import { useId, useRef, type ClipboardEvent, type KeyboardEvent } from "react";
import { imageFilesFrom } from "../../lib/files";
import { isSendKey, sendKeyHint } from "../../lib/sendKey";
import { sendPrompt, stopReply } from "../../services/generation";
import { useChats } from "../../stores/chats";
import { clearDraft, EMPTY_DRAFT, useDrafts } from "../../stores/drafts";
import { useSettings } from "../../stores/settings";
import { notify } from "../../stores/ui";
import { AttachmentPreviews } from "./AttachmentPreviews";
import { MessageBox } from "./MessageBox";
import { SendStopButton } from "./SendStopButton";
import { useComposerBox } from "./useComposerBox";
import type { AttachState } from "./useAttachImages";

interface ComposerProps {
  chatId: string;
  model: string | null;
  attach: AttachState;
}

/** The prompt box: text, images (picker or paste), send and stop. */
export function Composer({ chatId, model, attach }: ComposerProps) {
  const draft = useDrafts((s) => s.drafts[chatId] ?? EMPTY_DRAFT);
  const running = useChats((s) => Boolean(s.running[chatId]));
  const sendKey = useSettings((s) => s.sendKey);
  const textRef = useComposerBox(chatId, draft.text, 0.4);
  const fileRef = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const attachHintId = useId();

  const hasContent = draft.text.trim() !== "" || draft.attachments.length > 0;
  const blockedByImages =
    draft.attachments.length > 0 && attach.reason !== null && !attach.reason.includes("one image");
  const sendBlocked = !model
    ? "Choose a model first"
    : blockedByImages
      ? `Remove the images: ${attach.reason ?? ""}`
      : null;

  const send = (): void => {
    if (running || !hasContent) return;
    if (sendBlocked) {
      notify(sendBlocked, "error");
      return;
    }
    const { text, attachments } = draft;
    clearDraft(chatId);
    void sendPrompt(
      chatId,
      text,
      attachments.map((a) => a.dataUrl),
    );
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (isSendKey(event, sendKey)) {
      event.preventDefault();
      send();
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>): void => {
    const files = imageFilesFrom(event.clipboardData.items);
    if (!files.length) return;
    if (!event.clipboardData.getData("text/plain")) event.preventDefault();
    void attach.attach(files);
  };

  const hint = sendKeyHint(sendKey);

  return (
    <div className="mx-auto w-full max-w-3xl px-3 pb-3 sm:px-6 sm:pb-4">
      <div className="rounded-2xl border border-line bg-raised shadow-sm focus-within:border-accent/60 focus-within:ring-2 focus-within:ring-accent/20">
        <AttachmentPreviews chatId={chatId} attachments={draft.attachments} />
        <MessageBox
          chatId={chatId}
          text={draft.text}
          textRef={textRef}
          placeholder={model ? `Message ${model}` : "Choose a model to start"}
          hintId={hintId}
          maxHeight="max-h-[40vh]"
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        <div className="flex items-center justify-between gap-2 px-2 pb-2">
          <div className="flex items-center gap-1">
            <input
              ref={fileRef}
              type="file"
              accept="image/png,image/jpeg,image/webp,image/gif"
              multiple
              className="hidden"
              aria-hidden
              tabIndex={-1}
              data-testid="file-input"
              onChange={(e) => {
                void attach.attach(Array.from(e.target.files ?? []));
                e.target.value = "";
              }}
            />
            <button
              type="button"
              className="icon-btn"
              aria-label="Attach images"
              aria-disabled={attach.reason !== null}
              aria-describedby={attach.reason ? attachHintId : undefined}
              title={attach.reason ?? "Attach images (or paste, or drop them here)"}
              onClick={() => (attach.reason ? notify(attach.reason, "error") : fileRef.current?.click())}
            >
              <Paperclip className="h-[18px] w-[18px]" aria-hidden />
            </button>
            {attach.reason && (
              <span id={attachHintId} className="sr-only">
                {attach.reason}
              </span>
            )}
          </div>
          <p id={hintId} className="hidden truncate text-xs text-muted sm:block">
            {sendBlocked && hasContent ? sendBlocked : hint}
          </p>
          <SendStopButton
            running={running}
            onStop={() => stopReply(chatId)}
            onSend={send}
            sendDisabled={!hasContent || sendBlocked !== null}
          />
        </div>
      </div>
    </div>
  );
}
