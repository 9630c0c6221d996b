import { AlertTriangle, KeyRound, RotateCcw } from "lucide-react";
import { openSettings } from "../../stores/ui";
import type { MessageError } from "../../types";
import { ErrorDetails } from "../ui/ErrorDetails";

interface MessageErrorNoticeProps {
  error: MessageError;
  onRetry?: () => void;
}

/** A failed reply: what went wrong, Retry, and a way to set the API key on a 401. */
export function MessageErrorNotice({ error, onRetry }: MessageErrorNoticeProps) {
  return (
    <div
      role="alert"
      className="mt-3 flex flex-wrap items-center gap-3 rounded-xl border border-danger/30 bg-danger/5 px-3 py-2 text-sm"
    >
      <AlertTriangle className="h-4 w-4 shrink-0 text-danger" aria-hidden />
      <div className="min-w-0 flex-1 text-ink">
        <p>{error.message}</p>
        <ErrorDetails detail={error.detail} />
      </div>
      <div className="flex gap-2">
        {error.auth && (
          <button type="button" className="btn-secondary px-2.5 py-1" onClick={() => openSettings()}>
            <KeyRound className="h-4 w-4" aria-hidden /> Set API key
          </button>
        )}
        {onRetry && (
          <button type="button" className="btn-secondary px-2.5 py-1" onClick={onRetry}>
            <RotateCcw className="h-4 w-4" aria-hidden /> Retry
          </button>
        )}
      </div>
    </div>
  );
}
