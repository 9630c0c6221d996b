import { useCallback } from "react";
import { newId } from "../../lib/ids";
import { isAcceptedImage, MAX_IMAGE_BYTES, readAsDataUrl } from "../../lib/files";
import { addAttachments, getDraft, useDrafts } from "../../stores/drafts";
import { findModel, useModels } from "../../stores/models";
import { notify } from "../../stores/ui";

export interface AttachState {
  /** Why images cannot be attached now, or null when they can. */
  reason: string | null;
  attach: (files: readonly File[]) => Promise<void>;
}

/** Attaching images to a chat's draft, checked against the model's `vision` capability. */
export function useAttachImages(chatId: string, modelId: string | null): AttachState {
  const model = useModels((s) => findModel(s.models, modelId));
  const count = useDrafts((s) => s.drafts[chatId]?.attachments.length ?? 0);
  let reason: string | null = null;
  if (!modelId) reason = "Choose a model first";
  else if (model && !model.capabilities.vision) reason = `${modelId} does not accept images`;
  else if (model && !model.capabilities.multipleImages && count >= 1)
    reason = `${modelId} takes one image per message`;

  const attach = useCallback(
    async (files: readonly File[]) => {
      if (!files.length) return;
      if (reason) {
        notify(reason, "error");
        return;
      }
      const single = model && !model.capabilities.multipleImages;
      const room = single ? Math.max(0, 1 - getDraft(chatId).attachments.length) : 16;
      const accepted = files.filter(isAcceptedImage);
      if (accepted.length < files.length)
        notify("Only PNG, JPEG, WebP and GIF images can be attached", "error");
      const small = accepted.filter((f) => f.size <= MAX_IMAGE_BYTES);
      if (small.length < accepted.length) notify("Images larger than 10 MB were skipped", "error");
      const chosen = small.slice(0, room);
      if (chosen.length < small.length) notify(`${modelId} takes one image per message`, "error");
      const read = await Promise.all(
        chosen.map(async (file) => ({
          id: newId(),
          name: file.name || "pasted image",
          dataUrl: await readAsDataUrl(file),
        })),
      );
      if (read.length) addAttachments(chatId, read);
    },
    [chatId, model, modelId, reason],
  );
  return { reason, attach };
}
