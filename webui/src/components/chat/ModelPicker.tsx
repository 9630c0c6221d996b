import { Check, ChevronDown, RotateCcw } from "lucide-react";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { filterModels, findModel, loadModels, useModels } from "../../stores/models";
import { openSettings } from "../../stores/ui";
import { CapabilityBadges } from "./CapabilityBadges";

interface ModelPickerProps {
  value: string | null;
  onChange: (model: string) => void;
  /** What a change means here (shown above the list), or null. */
  note: string | null;
}

/** The chat's model: a button that opens a filterable list (ARIA combobox + listbox). */
export function ModelPicker({ value, onChange, note }: ModelPickerProps) {
  const { models, status, error } = useModels();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const rootRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const listId = useId();
  const noteId = useId();
  const shown = useMemo(() => filterModels(models, query), [models, query]);
  const current = findModel(models, value);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent): void => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  const openList = (): void => {
    setQuery("");
    const index = models.findIndex((m) => m.id === value);
    setActive(Math.max(0, index));
    setOpen(true);
  };

  const close = (refocus: boolean): void => {
    setOpen(false);
    if (refocus) triggerRef.current?.focus();
  };

  const choose = (id: string): void => {
    onChange(id);
    close(true);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((i) => (shown.length ? (i + step + shown.length) % shown.length : 0));
    } else if (event.key === "Enter") {
      event.preventDefault();
      const model = shown[active];
      if (model) choose(model.id);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    } else if (event.key === "Tab") {
      close(false);
    }
  };

  useEffect(() => {
    document.getElementById(`${listId}-${active}`)?.scrollIntoView({ block: "nearest" });
  }, [active, listId]);

  return (
    <div ref={rootRef} className="relative min-w-0">
      <button
        ref={triggerRef}
        type="button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-label={`Model: ${value ?? "none chosen"}. Change model`}
        onClick={() => (open ? close(false) : openList())}
        className="flex min-w-0 max-w-full items-center gap-2 rounded-lg px-2 py-1.5 text-sm hover:bg-ink/5"
      >
        <span className="truncate font-medium" data-testid="current-model">{value ?? "Choose a model"}</span>
        {current && <CapabilityBadges capabilities={current.capabilities} compact />}
        <ChevronDown className="h-4 w-4 shrink-0 text-muted" aria-hidden />
      </button>
      {open && (
        <div className="absolute left-0 top-full z-30 mt-1 w-[min(calc(100vw-2rem),24rem)] overflow-hidden rounded-xl border border-line bg-raised shadow-xl">
          <div className="border-b border-line p-2">
            <input
              autoFocus
              role="combobox"
              aria-expanded="true"
              aria-controls={listId}
              aria-autocomplete="list"
              aria-activedescendant={shown[active] ? `${listId}-${active}` : undefined}
              aria-label="Filter models"
              aria-describedby={note ? noteId : undefined}
              placeholder="Filter models…"
              value={query}
              onChange={(e) => {
                setQuery(e.target.value);
                setActive(0);
              }}
              onKeyDown={onKeyDown}
              className="field"
            />
            {note && (
              <p id={noteId} className="px-1 pt-2 text-xs text-muted">
                {note}
              </p>
            )}
          </div>
          {status === "loading" && <p className="p-3 text-sm text-muted">Loading models…</p>}
          {status === "error" && error && (
            <div className="space-y-2 p-3 text-sm" role="alert">
              <p className="text-danger">Could not load models: {error.message}</p>
              <div className="flex gap-2">
                <button type="button" className="btn-secondary px-2.5 py-1" onClick={() => void loadModels()}>
                  <RotateCcw className="h-4 w-4" aria-hidden /> Retry
                </button>
                {error.auth && (
                  <button type="button" className="btn-secondary px-2.5 py-1" onClick={() => openSettings()}>
                    Set API key
                  </button>
                )}
              </div>
            </div>
          )}
          <ul id={listId} role="listbox" aria-label="Models" className="max-h-80 overflow-y-auto p-1">
            {shown.map((model, i) => (
              <li
                key={model.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={model.id === value}
                onPointerMove={() => setActive(i)}
                onClick={() => choose(model.id)}
                className={`flex cursor-pointer items-center gap-2 rounded-lg px-2.5 py-2 text-sm ${
                  i === active ? "bg-accent/10" : ""
                }`}
              >
                <Check className={`h-4 w-4 shrink-0 text-accent-text ${model.id === value ? "" : "invisible"}`} aria-hidden />
                <span className="min-w-0 flex-1">
                  <span className="block truncate font-medium">{model.displayName}</span>
                  {model.ownedBy && <span className="block truncate text-xs text-muted">{model.ownedBy}</span>}
                </span>
                <CapabilityBadges capabilities={model.capabilities} />
              </li>
            ))}
            {status === "ready" && shown.length === 0 && (
              <li className="px-3 py-2 text-sm text-muted" role="presentation">
                No model matches “{query}”.
              </li>
            )}
          </ul>
        </div>
      )}
    </div>
  );
}
