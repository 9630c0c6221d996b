import type { Citation } from "../../api/types";

function host(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return url;
  }
}

/** The reply's sources as numbered links. */
export function Citations({ citations }: { citations: readonly Citation[] }) {
  return (
    <nav aria-label="Sources" className="mt-3">
      <h3 className="mb-1.5 text-xs font-medium uppercase tracking-wide text-muted">Sources</h3>
      <ol className="flex flex-wrap gap-2">
        {citations.map((c, i) => (
          <li key={c.url}>
            <a
              href={c.url}
              target="_blank"
              rel="noopener noreferrer"
              className="flex max-w-[16rem] items-center gap-1.5 rounded-lg border border-line bg-surface px-2.5 py-1 text-xs hover:border-accent/50"
              title={c.url}
            >
              <span className="text-muted">{i + 1}</span>
              <span className="truncate text-ink">{c.title}</span>
              <span className="shrink-0 text-muted">{host(c.url)}</span>
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
