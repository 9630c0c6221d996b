import { ArrowUp, Square } from "lucide-react";

/** The composer's round button: Stop while a reply is written, Send otherwise. */
export function SendStopButton({
  running,
  onStop,
  onSend,
  sendDisabled,
  stopTitle,
}: {
  running: boolean;
  onStop: () => void;
  onSend: () => void;
  sendDisabled: boolean;
  stopTitle?: string;
}) {
  if (running) {
    return (
      <button
        type="button"
        onClick={onStop}
        aria-label="Stop generating"
        title={stopTitle}
        className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-ink text-canvas hover:bg-ink/85"
      >
        <Square className="h-3.5 w-3.5 fill-current" aria-hidden />
      </button>
    );
  }
  return (
    <button
      type="button"
      onClick={onSend}
      disabled={sendDisabled}
      aria-label="Send message"
      className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-accent text-accent-ink transition-opacity hover:bg-accent/90 disabled:opacity-30"
    >
      <ArrowUp className="h-[18px] w-[18px]" aria-hidden />
    </button>
  );
}
