import { Check, ChevronDown, Loader2, RotateCcw } from "lucide-react";
import {
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
} from "react";
import { filterModels, findModel, loadModels, useModels } from "../../stores/models";
import { openSettings } from "../../stores/ui";
import { ErrorDetails } from "../ui/ErrorDetails";
import { CapabilityBadges } from "./CapabilityBadges";

const PANEL_MAX_WIDTH = 384;
const VIEWPORT_MARGIN = 8;

/**
 * Where the list goes: under the trigger, as wide as fits, moved left as far as needed to stay
 * inside the viewport (fixed, so it never widens the page nor scrolls a clipped ancestor).
 */
function panelPlacement(trigger: HTMLElement): CSSProperties {
  const rect = trigger.getBoundingClientRect();
  const viewport = document.documentElement.clientWidth;
  const width = Math.min(PANEL_MAX_WIDTH, viewport - 2 * VIEWPORT_MARGIN);
  const left = Math.max(VIEWPORT_MARGIN, Math.min(rect.left, viewport - width - VIEWPORT_MARGIN));
  return { position: "fixed", top: rect.bottom + 4, left, width };
}

/** Scrolls `list` (only) so that `item` is in view: scrollIntoView would scroll ancestors too. */
function revealInList(list: HTMLElement | null, item: HTMLElement | null): void {
  if (!list || !item) return;
  const top = item.offsetTop;
  const bottom = top + item.offsetHeight;
  if (top < list.scrollTop) list.scrollTop = top;
  else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
}

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
  const filterRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const [placement, setPlacement] = useState<CSSProperties>({});
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

  useEffect(() => {
    if (!open) return;
    const place = (): void => {
      if (triggerRef.current) setPlacement(panelPlacement(triggerRef.current));
    };
    window.addEventListener("resize", place);
    return () => window.removeEventListener("resize", place);
  }, [open]);

  useLayoutEffect(() => {
    if (open) filterRef.current?.focus({ preventScroll: true });
  }, [open]);

  const openList = (): void => {
    setQuery("");
    const index = models.findIndex((m) => m.id === value);
    setActive(Math.max(0, index));
    if (triggerRef.current) setPlacement(panelPlacement(triggerRef.current));
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
    if (open) revealInList(listRef.current, document.getElementById(`${listId}-${active}`));
  }, [active, listId, open]);

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
        <span className="truncate font-medium" data-testid="current-model">
          {value ?? "Choose a model"}
        </span>
        {current && <CapabilityBadges capabilities={current.capabilities} compact />}
        <ChevronDown className="h-4 w-4 shrink-0 text-muted" aria-hidden />
      </button>
      {open && (
        <div
          style={placement}
          className="z-30 overflow-hidden rounded-xl border border-line bg-raised shadow-xl"
          data-testid="model-panel"
        >
          <div className="border-b border-line p-2">
            <input
              ref={filterRef}
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
          {status === "starting" && (
            <p className="flex items-center gap-2 p-3 text-sm text-muted">
              <Loader2 className="h-4 w-4 animate-spin" aria-hidden /> The server is starting up…
            </p>
          )}
          {status === "error" && error && (
            <div className="space-y-2 p-3 text-sm" role="alert">
              <p className="text-danger">Could not load models: {error.message}</p>
              <ErrorDetails detail={error.detail} />
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
          <ul
            ref={listRef}
            id={listId}
            role="listbox"
            aria-label="Models"
            className="relative max-h-[min(20rem,60dvh)] overflow-y-auto p-1"
          >
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
                <Check
                  className={`h-4 w-4 shrink-0 text-accent-text ${model.id === value ? "" : "invisible"}`}
                  aria-hidden
                />
                <span className="min-w-0 flex-1">
                  <span className="block truncate font-medium">{model.displayName}</span>
                  {model.ownedBy && (
                    <span className="block truncate text-xs text-muted">{model.ownedBy}</span>
                  )}
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
