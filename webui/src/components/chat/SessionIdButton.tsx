import { CopyButton } from "../ui/CopyButton";

/** Copies the chat's evaluationSessionId; a disabled look-alike until the chat has one. */
export function SessionIdButton({ sessionId }: { sessionId: string | null | undefined }) {
  if (sessionId) return <CopyButton text={sessionId} label="Copy session ID" />;
  return (
    <button
      type="button"
      className="icon-btn h-8 w-8"
      aria-disabled="true"
      aria-label="Copy session ID (none yet: send a message first)"
      title="No session yet"
    >
      <CopyButton.Icon />
    </button>
  );
}
