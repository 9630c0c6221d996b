import { ArrowDown } from "lucide-react";

/** Shown when the reader scrolled up: back to the newest message. */
export function JumpToLatest({ onClick }: { onClick: () => void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      className="absolute bottom-3 left-1/2 flex -translate-x-1/2 items-center gap-1.5 rounded-full border border-line bg-raised px-3 py-1.5 text-sm shadow-md hover:bg-surface"
    >
      <ArrowDown className="h-4 w-4" aria-hidden /> Jump to latest
    </button>
  );
}
