/**
 * Headings inside a reply sit below the page's own (h1: the chat, h2: the conversation), so the
 * levels a reply uses are mapped, in order, onto h3…h6: "## A / #### B" becomes h3 / h4, never
 * skipping a level the reply did not skip.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX = /^ {0,3}(#{1,6})(?:[ \t]|$)/;

/** The reply's heading levels (1–6) mapped to the levels to render, starting at `first`. */
export function headingLevels(markdown: string, first = 3): Record<number, number> {
  const used = new Set<number>();
  let fence: string | null = null;
  for (const line of markdown.split("\n")) {
    const f = FENCE.exec(line)?.[1];
    if (fence !== null) {
      if (f && f[0] === fence[0] && f.length >= fence.length && line.trim() === f) fence = null;
      continue;
    }
    if (f) {
      fence = f;
      continue;
    }
    const atx = ATX.exec(line)?.[1];
    if (atx) used.add(atx.length);
    else if (/^ {0,3}=+\s*$/.test(line)) used.add(1);
    else if (/^ {0,3}-+\s*$/.test(line)) used.add(2);
  }
  const map: Record<number, number> = {};
  [...used]
    .sort((a, b) => a - b)
    .forEach((level, rank) => {
      map[level] = Math.min(6, first + rank);
    });
  for (let level = 1; level <= 6; level++) map[level] ??= Math.min(6, first + level - 1);
  return map;
}
