import { AlertTriangle, KeyRound, RotateCcw } from "lucide-react";
import { loadModels, useModels } from "../../stores/models";
import { openSettings } from "../../stores/ui";

/** Says so when the model list could not be loaded (a missing API key, a server that is down). */
export function ModelsNotice() {
  const error = useModels((s) => (s.status === "error" ? s.error : null));
  if (!error) return null;
  return (
    <div className="mx-auto w-full max-w-3xl px-3 sm:px-6">
      <div role="alert" className="mb-2 flex flex-wrap items-center gap-3 rounded-xl border border-danger/30 bg-danger/5 px-3 py-2 text-sm">
        <AlertTriangle className="h-4 w-4 shrink-0 text-danger" aria-hidden />
        <p className="min-w-0 flex-1">Could not load the models: {error.message}</p>
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
