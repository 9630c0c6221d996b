import { Download, Trash2, Upload } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { downloadText } from "../../lib/download";
import { clearEverything, exportEverything, importBackup } from "../../services/backup";
import { notify } from "../../stores/ui";
import { ConfirmDialog } from "../ui/ConfirmDialog";

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

function useStorageEstimate(): string | null {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    if (!navigator.storage?.estimate) return;
    let live = true;
    void Promise.all([
      navigator.storage.estimate(),
      navigator.storage.persisted?.() ?? Promise.resolve(false),
    ]).then(([estimate, persisted]) => {
      if (!live || estimate.usage === undefined) return;
      const quota = estimate.quota ? ` of ${formatBytes(estimate.quota)}` : "";
      setText(`${formatBytes(estimate.usage)} used${quota}${persisted ? " · kept by the browser" : ""}`);
    });
    return () => {
      live = false;
    };
  }, []);
  return text;
}

export function DataSection() {
  const fileRef = useRef<HTMLInputElement>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const [importError, setImportError] = useState<string | null>(null);
  const storage = useStorageEstimate();

  const doExport = async (): Promise<void> => {
    const data = await exportEverything();
    const day = data.exportedAt.slice(0, 10);
    downloadText(`lmarena-chats-${day}.json`, JSON.stringify(data, null, 2), "application/json");
  };

  const doImport = async (file: File): Promise<void> => {
    setImportError(null);
    try {
      const summary = await importBackup(await file.text());
      const pruned = summary.pruned
        ? `; ${summary.pruned} older chat${summary.pruned > 1 ? "s" : ""} deleted to stay within the limit`
        : "";
      notify(`Imported ${summary.chats} chat${summary.chats === 1 ? "" : "s"}${pruned}`);
    } catch (error) {
      setImportError(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <div className="space-y-3">
      <p className="text-xs text-muted">
        Export saves every chat and setting (not the API key) as JSON. Import adds the file’s chats, replacing
        chats with the same id. Each chat also exports as Markdown from its header.
      </p>
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn-secondary" onClick={() => void doExport()}>
          <Download className="h-4 w-4" aria-hidden /> Export JSON
        </button>
        <button type="button" className="btn-secondary" onClick={() => fileRef.current?.click()}>
          <Upload className="h-4 w-4" aria-hidden /> Import JSON
        </button>
        <input
          ref={fileRef}
          type="file"
          accept="application/json,.json"
          className="hidden"
          aria-hidden
          tabIndex={-1}
          data-testid="import-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) void doImport(file);
          }}
        />
        <button type="button" className="btn-secondary text-danger" onClick={() => setConfirmClear(true)}>
          <Trash2 className="h-4 w-4" aria-hidden /> Clear all chats
        </button>
      </div>
      {importError && (
        <p role="alert" className="text-sm text-danger">
          Import failed: {importError}
        </p>
      )}
      {storage && <p className="text-xs text-muted">Storage: {storage}</p>}
      <ConfirmDialog
        open={confirmClear}
        title="Clear all chats?"
        message="Every chat and message in this browser will be deleted. Settings stay. This cannot be undone."
        confirmLabel="Clear all"
        onConfirm={() => {
          setConfirmClear(false);
          void clearEverything().then(() => notify("All chats deleted"));
        }}
        onCancel={() => setConfirmClear(false)}
      />
    </div>
  );
}
