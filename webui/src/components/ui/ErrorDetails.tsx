/** What the server or the browser said, word for word, behind a toggle under a plain message. */
export function ErrorDetails({ detail }: { detail: string | undefined }) {
  if (!detail) return null;
  return (
    <details className="mt-1 text-xs text-muted">
      <summary className="w-fit cursor-pointer select-none rounded hover:text-ink">Details</summary>
      <p className="mt-1 whitespace-pre-wrap font-mono [overflow-wrap:anywhere]">{detail}</p>
    </details>
  );
}
