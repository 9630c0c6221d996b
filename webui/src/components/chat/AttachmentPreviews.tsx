import { X } from "lucide-react";
import { removeAttachment, type Attachment } from "../../stores/drafts";

/** Thumbnails of the images about to be sent, each with a remove button. */
export function AttachmentPreviews({
  chatId,
  attachments,
}: {
  chatId: string;
  attachments: readonly Attachment[];
}) {
  if (!attachments.length) return null;
  return (
    <ul className="flex flex-wrap gap-2 px-3 pt-3" aria-label="Images to send">
      {attachments.map((a, i) => (
        <li key={a.id} className="relative">
          <img
            src={a.dataUrl}
            alt={`Attachment ${i + 1}: ${a.name}`}
            className="h-16 w-16 rounded-lg border border-line object-cover"
          />
          <button
            type="button"
            onClick={() => removeAttachment(chatId, a.id)}
            aria-label={`Remove image ${i + 1} (${a.name})`}
            className="absolute -right-1.5 -top-1.5 flex h-5 w-5 items-center justify-center rounded-full border border-line bg-raised text-muted shadow hover:text-ink"
          >
            <X className="h-3 w-3" aria-hidden />
          </button>
        </li>
      ))}
    </ul>
  );
}
