import { useId } from "react";
import { sideLabel } from "../../lib/arena";
import { useModels } from "../../stores/models";
import type { ArenaSide } from "../../types";

interface ArenaModelSelectProps {
  side: ArenaSide;
  value: string | null;
  /** The other column's model (not offered here: a compare needs two different models). */
  other: string | null;
  onChange: (model: string) => void;
}

/** A native select (keyboard, screen readers and phones know it) of one column's model. */
export function ArenaModelSelect({ side, value, other, onChange }: ArenaModelSelectProps) {
  const { models, status } = useModels();
  const id = useId();
  const choices = models.filter((m) => m.id !== other);
  return (
    <div className="flex min-w-0 flex-1 items-center gap-2">
      <label htmlFor={id} className="sr-only">
        {sideLabel(side)}
      </label>
      <select
        id={id}
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value)}
        className="field min-w-0 py-1.5"
        disabled={status !== "ready" && models.length === 0}
      >
        {!value && <option value="">{status === "ready" ? "Choose a model" : "Loading models…"}</option>}
        {value && !choices.some((m) => m.id === value) && <option value={value}>{value}</option>}
        {choices.map((m) => (
          <option key={m.id} value={m.id}>
            {m.displayName}
          </option>
        ))}
      </select>
    </div>
  );
}
