import type { ArenaSide } from "../../types";

const TONE: Record<ArenaSide, string> = {
  a: "bg-sky-700 text-white dark:bg-sky-300 dark:text-sky-950",
  b: "bg-amber-700 text-white dark:bg-amber-300 dark:text-amber-950",
};

/** The column's letter, A or B, in its colour (the name next to it says which model it is). */
export function SideBadge({ side }: { side: ArenaSide }) {
  return (
    <span
      className={`inline-flex h-5 w-5 shrink-0 items-center justify-center rounded-md text-[11px] font-bold ${TONE[side]}`}
      aria-hidden
    >
      {side.toUpperCase()}
    </span>
  );
}
