import { useEffect, useId, useRef, type ReactNode } from "react";
import { X } from "lucide-react";

interface DialogProps {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: string;
  children: ReactNode;
  /** Extra classes for the panel (size, placement). */
  className?: string;
  /** Hide the title visually (still announced). */
  hideTitle?: boolean;
}

/**
 * A modal dialog on the native <dialog>: the browser traps focus and makes the page behind inert.
 * Escape and a click on the backdrop close it; focus returns to where it was before opening.
 */
export function Dialog({ open, onClose, title, description, children, className, hideTitle }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>("[data-autofocus]");
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (previous?.isConnected) previous.focus();
    };
  }, [open]);

  if (!open) return null;
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        event.preventDefault();
        onCloseRef.current();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onCloseRef.current();
      }}
      className={`m-auto max-h-[90dvh] w-[min(100vw-2rem,32rem)] overflow-hidden rounded-2xl border border-line bg-raised p-0 text-ink shadow-2xl ${className ?? ""}`}
    >
      <div className="flex max-h-[90dvh] flex-col">
        <header className="flex items-start justify-between gap-4 px-5 pb-2 pt-4">
          <div>
            <h2 id={titleId} className={hideTitle ? "sr-only" : "text-base font-semibold"}>
              {title}
            </h2>
            {description && (
              <p id={descriptionId} className="mt-1 text-sm text-muted">
                {description}
              </p>
            )}
          </div>
          <button
            type="button"
            className="icon-btn -mr-2 -mt-1"
            aria-label="Close"
            onClick={() => onCloseRef.current()}
          >
            <X className="h-4 w-4" aria-hidden />
          </button>
        </header>
        <div className="overflow-y-auto px-5 pb-5">{children}</div>
      </div>
    </dialog>
  );
}
