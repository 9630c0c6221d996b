import { MessagesSquare } from "lucide-react";

/** Shown in a chat without messages. */
export function EmptyState({ model }: { model: string | null }) {
  return (
    <div className="flex flex-col items-center gap-3 py-16 text-center">
      <div className="flex h-12 w-12 items-center justify-center rounded-2xl bg-accent/10 text-accent-text">
        <MessagesSquare className="h-6 w-6" aria-hidden />
      </div>
      <h2 className="text-lg font-semibold">How can I help?</h2>
      <p className="max-w-sm text-sm text-muted">
        {model ? (
          <>
            Replies come from <span className="font-medium text-ink">{model}</span>. You can switch models
            until you send the first message.
          </>
        ) : (
          "Choose a model above to start."
        )}
      </p>
    </div>
  );
}
