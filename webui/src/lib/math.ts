/**
 * Models write math as `\( … \)` and `\[ … \]`; remark-math reads `$ … $` and `$$ … $$`. This
 * rewrites the former into the latter before parsing, leaving fenced and inline code alone.
 *
 * Dollar signs are also money: a single `$` opens inline math only when a non-space follows it
 * and its closing `$` (in the same paragraph) has a non-space before it and no digit after it
 * (Pandoc's rule). Any other single `$` is escaped, so "$5 and $10" stays text while `$x^2$`,
 * `$$…$$`, `\(…\)` and `\[…\]` stay math.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Might this text contain math (after conversion)? Decides whether KaTeX is loaded. */
export function mayContainMath(text: string): boolean {
  return /\$|\\\(|\\\[/.test(text);
}

export function convertMathDelimiters(text: string): string {
  if (!mayContainMath(text)) return text;
  const lines = text.split("\n");
  const out: string[] = [];
  let prose: string[] = [];
  let fence: string | null = null;
  const flush = (): void => {
    if (prose.length) out.push(convertProse(prose.join("\n")));
    prose = [];
  };
  for (const line of lines) {
    const match = FENCE.exec(line);
    if (fence === null) {
      if (match?.[1]) {
        flush();
        fence = match[1];
        out.push(line);
      } else {
        prose.push(line);
      }
      continue;
    }
    out.push(line);
    const closing = match?.[1];
    if (closing && closing[0] === fence[0] && closing.length >= fence.length && line.trim() === closing) {
      fence = null;
    }
  }
  flush();
  return out.join("\n");
}

function isEscaped(text: string, index: number): boolean {
  let count = 0;
  for (let i = index - 1; i >= 0 && text[i] === "\\"; i--) count++;
  return count % 2 === 1;
}

function findClosing(text: string, from: number, closer: string): number {
  let i = text.indexOf(closer, from);
  while (i !== -1 && isEscaped(text, i)) i = text.indexOf(closer, i + 1);
  return i;
}

const SPACE = /\s/;
const DIGIT = /[0-9]/;

/** Index of the next single (not doubled, not escaped) `$` from `from`, before a blank line. */
function nextSingleDollar(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const ch = text[j];
    if (ch === "\n" && /^\n[ \t]*\n/.test(text.slice(j, j + 64))) return -1;
    if (ch !== "$" || isEscaped(text, j)) continue;
    if (text[j + 1] === "$") {
      while (text[j + 1] === "$") j++;
      continue;
    }
    return j;
  }
  return -1;
}

/** Where the text math that a single `$` at `i` opens ends (its closing `$`), or -1: not math. */
function closingDollar(text: string, i: number): number {
  const next = text[i + 1];
  if (next === undefined || SPACE.test(next)) return -1;
  const j = nextSingleDollar(text, i + 1);
  if (j === -1) return -1;
  const before = text[j - 1] ?? " ";
  const after = text[j + 1] ?? "";
  if (SPACE.test(before) || DIGIT.test(after)) return -1;
  return j;
}

/** Converts delimiters in text that holds no fenced code (inline code spans are skipped). */
function convertProse(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "$" && !isEscaped(text, i)) {
      let run = 1;
      while (text[i + run] === "$") run++;
      if (run > 1) {
        // `$$…$$`: math as written, up to its closing run.
        const close = text.indexOf("$".repeat(run), i + run);
        const stop = close === -1 ? i + run : close + run;
        out += text.slice(i, stop);
        i = stop;
        continue;
      }
      const close = closingDollar(text, i);
      if (close === -1) {
        out += "\\$";
        i++;
      } else {
        out += text.slice(i, close + 1);
        i = close + 1;
      }
      continue;
    }
    if (ch === "`") {
      let run = 1;
      while (text[i + run] === "`") run++;
      const ticks = "`".repeat(run);
      let end = text.indexOf(ticks, i + run);
      while (end !== -1 && text[end + run] === "`") {
        let skip = end;
        while (text[skip] === "`") skip++;
        end = text.indexOf(ticks, skip);
      }
      const stop = end === -1 ? i + run : end + run;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === "\\" && !isEscaped(text, i) && (text[i + 1] === "(" || text[i + 1] === "[")) {
      const display = text[i + 1] === "[";
      const close = findClosing(text, i + 2, display ? "\\]" : "\\)");
      if (close !== -1) {
        const inner = text.slice(i + 2, close).trim();
        out += display ? displayMath(out, inner) : `$${inner}$`;
        i = close + 2;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return out;
}

/** `$$…$$` on lines of its own when `\[` opened its line, else inline `$$…$$`. */
function displayMath(before: string, inner: string): string {
  const lineStart = before.lastIndexOf("\n") + 1;
  const prefix = before.slice(lineStart);
  if (prefix.trim() !== "" || inner === "") return `$$${inner}$$`;
  const body = inner
    .split("\n")
    .map((l) => prefix + l.trim())
    .join("\n");
  return `$$\n${body}\n${prefix}$$`;
}
