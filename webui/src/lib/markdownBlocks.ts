/**
 * Splits Markdown that is still growing into blocks at blank lines that lie outside fenced code
 * and `$$` math. While a reply streams, every block but the last is final, so each can be parsed
 * once and memoized; only the tail is parsed again per frame.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function splitMarkdownBlocks(text: string): string[] {
  const lines = text.split("\n");
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  let inMath = false;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? "";
    if (fence !== null) {
      const m = FENCE.exec(line);
      if (m?.[1] && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) {
        fence = null;
      }
      current.push(line);
      continue;
    }
    const open = FENCE.exec(line);
    if (open?.[1] && !inMath) {
      fence = open[1];
      current.push(line);
      continue;
    }
    if (line.trim() === "$$") inMath = !inMath;
    const next = lines[n + 1];
    const splitHere =
      line.trim() === "" &&
      !inMath &&
      current.length > 0 &&
      next !== undefined &&
      next !== "" &&
      !/^\s/.test(next);
    current.push(line);
    if (splitHere) {
      blocks.push(current.join("\n"));
      current = [];
    }
  }
  if (current.length) blocks.push(current.join("\n"));
  return blocks;
}
