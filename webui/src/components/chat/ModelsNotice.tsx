import { AlertTriangle, KeyRound, Loader2, RotateCcw } from "lucide-react";
import { loadModels, useModels } from "../../stores/models";
import { openSettings } from "../../stores/ui";
import { ErrorDetails } from "../ui/ErrorDetails";

/** While the server starts: progress. When the model list could not be loaded: why, and Retry. */
export function ModelsNotice() {
  const status = useModels((s) => s.status);
  const error = useModels((s) => s.error);
  const attempt = useModels((s) => s.attempt);
  if (status === "starting") {
    return (
      <div className="mx-auto w-full max-w-3xl px-3 sm:px-6">
        <div
          role="status"
          className="mb-2 flex flex-wrap items-center gap-3 rounded-xl border border-line bg-surface px-3 py-2 text-sm"
        >
          <Loader2 className="h-4 w-4 shrink-0 animate-spin text-accent-text" aria-hidden />
          <p className="min-w-0 flex-1">
            The server is starting up… loading the models (attempt {attempt + 1}).
          </p>
          <button type="button" className="btn-secondary px-2.5 py-1" onClick={() => void loadModels()}>
            <RotateCcw className="h-4 w-4" aria-hidden /> Try now
          </button>
        </div>
      </div>
    );
  }
  if (status !== "error" || !error) return null;
  return (
    <div className="mx-auto w-full max-w-3xl px-3 sm:px-6">
      <div
        role="alert"
        className="mb-2 flex flex-wrap items-center gap-3 rounded-xl border border-danger/30 bg-danger/5 px-3 py-2 text-sm"
      >
        <AlertTriangle className="h-4 w-4 shrink-0 text-danger" aria-hidden />
        <div className="min-w-0 flex-1">
          <p>Could not load the models: {error.message}</p>
          <ErrorDetails detail={error.detail} />
        </div>
        <div className="flex gap-2">
          {error.auth && (
            <button type="button" className="btn-secondary px-2.5 py-1" onClick={() => openSettings()}>
              <KeyRound className="h-4 w-4" aria-hidden /> Set API key
            </button>
          )}
          <button type="button" className="btn-secondary px-2.5 py-1" onClick={() => void loadModels()}>
            <RotateCcw className="h-4 w-4" aria-hidden /> Retry
          </button>
        </div>
      </div>
    </div>
  );
}
