import type { ReactNode } from "react";

interface Option<T extends string> {
  value: T;
  label: string;
  icon?: ReactNode;
}

interface RadioGroupProps<T extends string> {
  name: string;
  legend: string;
  value: T;
  options: readonly Option<T>[];
  onChange: (value: T) => void;
}

/** A segmented control made of real radio inputs (arrow keys move between options). */
export function RadioGroup<T extends string>({ name, legend, value, options, onChange }: RadioGroupProps<T>) {
  return (
    <fieldset>
      <legend className="mb-2 text-sm font-medium">{legend}</legend>
      <div className="inline-flex rounded-lg border border-line bg-surface p-0.5">
        {options.map((option) => (
          <label
            key={option.value}
            className={`flex cursor-pointer items-center gap-1.5 rounded-md px-3 py-1.5 text-sm transition-colors has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-accent/70 ${
              value === option.value ? "bg-raised text-ink shadow-sm" : "text-muted hover:text-ink"
            }`}
          >
            <input
              type="radio"
              className="sr-only"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            {option.icon}
            {option.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
