import { lazy, Suspense } from "react";
import type { MarkdownRendererProps } from "./MarkdownRenderer";

const loadRenderer = () => import("./MarkdownRenderer");
const MarkdownRenderer = lazy(loadRenderer);

/** Starts loading the Markdown renderer early (called at start-up). */
export function preloadMarkdown(): void {
  void loadRenderer();
}

/** Markdown, shown as plain text until the renderer's chunk has arrived. */
export function Markdown(props: MarkdownRendererProps) {
  return (
    <Suspense
      fallback={
        <div className="whitespace-pre-wrap text-[15px] leading-7 [overflow-wrap:anywhere]">{props.text}</div>
      }
    >
      <MarkdownRenderer {...props} />
    </Suspense>
  );
}
