/** highlight.js (common languages), loaded on first use. */

import type { HLJSApi } from "highlight.js";

let loading: Promise<HLJSApi> | null = null;
let loaded: HLJSApi | null = null;

export function loadHighlighter(): Promise<HLJSApi> {
  loading ??= import("highlight.js/lib/common").then((m) => {
    loaded = m.default;
    return m.default;
  });
  return loading;
}

export function highlighterIfLoaded(): HLJSApi | null {
  return loaded;
}

/** HTML with highlight spans (highlight.js escapes the code), or null for unknown languages. */
export function highlight(hljs: HLJSApi, code: string, language: string): string | null {
  const lang = language.toLowerCase();
  if (!lang || !hljs.getLanguage(lang)) return null;
  return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
}
