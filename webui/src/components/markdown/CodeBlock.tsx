import { memo, useEffect, useMemo, useState } from "react";
import { CopyButton } from "../ui/CopyButton";
import { highlight, highlighterIfLoaded, loadHighlighter } from "./highlighter";

interface CodeBlockProps {
  code: string;
  language: string;
}

/** A fenced code block: language label, copy button, syntax colours once highlight.js loaded. */
export const CodeBlock = memo(function CodeBlock({ code, language }: CodeBlockProps) {
  const [hljs, setHljs] = useState(highlighterIfLoaded);
  useEffect(() => {
    if (hljs || !language) return;
    let live = true;
    void loadHighlighter().then((h) => {
      if (live) setHljs(h);
    });
    return () => {
      live = false;
    };
  }, [hljs, language]);
  const html = useMemo(() => (hljs ? highlight(hljs, code, language) : null), [hljs, code, language]);

  return (
    <div className="not-prose code-bg group/code my-4 overflow-hidden rounded-xl border border-line">
      <div className="flex items-center justify-between border-b border-line px-3 py-1 text-xs text-muted">
        <span className="font-mono">{language || "text"}</span>
        <CopyButton text={code} label="Copy code" showText className="btn-ghost px-2 py-1 text-xs" />
      </div>
      <pre
        className="overflow-x-auto p-4 text-[13px] leading-6"
        role="region"
        aria-label={`Code${language ? ` (${language})` : ""}`}
        tabIndex={0}
      >
        {html !== null ? (
          <code
            className={`hljs language-${language} font-mono`}
            dangerouslySetInnerHTML={{ __html: html }}
          />
        ) : (
          <code className="hljs font-mono">{code}</code>
        )}
      </pre>
    </div>
  );
});
