import { X } from "lucide-react";
import { dismissNotice, useUi } from "../../stores/ui";

/**
 * Short notices, also read out by screen readers (a polite live region). They appear at the top,
 * under the chat header, so they never cover the message box or the images attached to it.
 */
export function Notices() {
  const notices = useUi((s) => s.notices);
  return (
    <div
      role="status"
      aria-live="polite"
      className="pointer-events-none fixed inset-x-0 top-16 z-50 flex flex-col items-center gap-2 px-4"
      data-testid="notices"
    >
      {notices.map((n) => (
        <div
          key={n.id}
          className={`pointer-events-auto flex items-center gap-2 rounded-lg border px-3 py-2 text-sm shadow-lg ${
            n.tone === "error" ? "border-danger/40 bg-raised text-danger" : "border-line bg-raised text-ink"
          }`}
        >
          <span>{n.text}</span>
          <button
            type="button"
            className="rounded p-0.5 text-muted hover:text-ink"
            aria-label="Dismiss"
            onClick={() => dismissNotice(n.id)}
          >
            <X className="h-3.5 w-3.5" aria-hidden />
          </button>
        </div>
      ))}
    </div>
  );
}
