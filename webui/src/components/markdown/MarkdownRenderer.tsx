/**
 * GFM Markdown with highlighted code, math (KaTeX, loaded on demand) and safe links. While a reply
 * streams, its text is split into blocks that are memoized, so each frame parses only the tail.
 */

import { createElement, memo, useEffect, useMemo, useState, type ComponentProps } from "react";
import ReactMarkdown, { type Components, type Options } from "react-markdown";
import remarkGfm from "remark-gfm";
import { isSafeUrl } from "../../lib/guards";
import { headingLevels } from "../../lib/headings";
import { splitMarkdownBlocks } from "../../lib/markdownBlocks";
import { convertMathDelimiters, mayContainMath } from "../../lib/math";
import { CodeBlock } from "./CodeBlock";
import { loadMathPlugins, mathPluginsIfLoaded, type MathPlugins } from "./mathPlugins";

interface HastNode {
  type: string;
  value?: string;
  tagName?: string;
  properties?: { className?: unknown };
  children?: HastNode[];
}

function textOf(node: HastNode): string {
  if (node.type === "text") return node.value ?? "";
  return (node.children ?? []).map(textOf).join("");
}

function languageOf(node: HastNode | undefined): string {
  const classes = node?.properties?.className;
  const list = Array.isArray(classes) ? classes : [];
  for (const c of list) {
    if (typeof c === "string" && c.startsWith("language-")) return c.slice("language-".length);
  }
  return "";
}

const baseComponents: Components = {
  // Blocks are told apart from inline code at <pre> (react-markdown 9+ passes no `inline`).
  pre({ node }) {
    const code = (node?.children as HastNode[] | undefined)?.find((c) => c.tagName === "code");
    const text = code ? textOf(code).replace(/\n$/, "") : "";
    return <CodeBlock code={text} language={languageOf(code)} />;
  },
  a({ node: _node, href, children, ...rest }) {
    void _node;
    if (!href || !isSafeUrl(href)) return <span>{children}</span>;
    return (
      <a {...rest} href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    );
  },
  img({ node: _node, src, alt }) {
    void _node;
    if (typeof src !== "string" || !isSafeUrl(src)) return null;
    return <img src={src} alt={alt ?? ""} loading="lazy" className="max-h-96 rounded-lg" />;
  },
  table({ node: _node, ...rest }) {
    void _node;
    // A wide table scrolls inside its own box, which the keyboard can reach and scroll.
    return (
      <div className="my-4 overflow-x-auto" role="region" aria-label="Table" tabIndex={0}>
        <table {...(rest as ComponentProps<"table">)} />
      </div>
    );
  },
  input({ node: _node, ...rest }) {
    void _node;
    if (rest.type !== "checkbox") return <input {...rest} />;
    // A task list's box: read-only, named by its state (the item's text follows it).
    return <input {...rest} aria-label={rest.checked ? "Done:" : "To do:"} />;
  },
};

type HeadingTag = "h1" | "h2" | "h3" | "h4" | "h5" | "h6";
const componentCache = new Map<string, Components>();

/** The components, with the reply's headings rendered at `levels` (see `headingLevels`). */
function componentsFor(levels: Record<number, number>): Components {
  const key = [1, 2, 3, 4, 5, 6].map((n) => levels[n] ?? n).join("");
  let entry = componentCache.get(key);
  if (!entry) {
    const headings: Components = {};
    for (let n = 1; n <= 6; n++) {
      const tag = `h${n}` as HeadingTag;
      const rendered = `h${levels[n] ?? n}` as HeadingTag;
      headings[tag] = ({ node: _node, ...rest }) => {
        void _node;
        return createElement(rendered, { ...rest, "data-level": n });
      };
    }
    entry = { ...baseComponents, ...headings };
    componentCache.set(key, entry);
  }
  return entry;
}

type PluggableList = NonNullable<Options["remarkPlugins"]>;

const REMARK_BASE: PluggableList = [remarkGfm];
const REHYPE_BASE: PluggableList = [];
const pluginCache = new WeakMap<MathPlugins, { remark: PluggableList; rehype: PluggableList }>();

function pluginsFor(math: MathPlugins | null): { remark: PluggableList; rehype: PluggableList } {
  if (!math) return { remark: REMARK_BASE, rehype: REHYPE_BASE };
  let entry = pluginCache.get(math);
  if (!entry) {
    entry = { remark: [...REMARK_BASE, ...math.remark], rehype: [...REHYPE_BASE, ...math.rehype] };
    pluginCache.set(math, entry);
  }
  return entry;
}

function useMath(needed: boolean): MathPlugins | null {
  const [math, setMath] = useState(mathPluginsIfLoaded);
  useEffect(() => {
    if (!needed || math) return;
    let live = true;
    void loadMathPlugins().then((m) => {
      if (live) setMath(m);
    });
    return () => {
      live = false;
    };
  }, [needed, math]);
  return needed ? math : null;
}

interface BlockProps {
  text: string;
  math: MathPlugins | null;
  components: Components;
}

const Block = memo(function Block({ text, math, components }: BlockProps) {
  const plugins = pluginsFor(math);
  return (
    <ReactMarkdown remarkPlugins={plugins.remark} rehypePlugins={plugins.rehype} components={components}>
      {text}
    </ReactMarkdown>
  );
});

export interface MarkdownRendererProps {
  text: string;
  streaming: boolean;
}

export default function MarkdownRenderer({ text, streaming }: MarkdownRendererProps) {
  const source = useMemo(() => convertMathDelimiters(text), [text]);
  const math = useMath(mayContainMath(source));
  const blocks = useMemo(() => (streaming ? splitMarkdownBlocks(source) : [source]), [source, streaming]);
  const components = useMemo(() => componentsFor(headingLevels(source)), [source]);
  return (
    <div className="prose-chat">
      {blocks.map((block, i) => (
        <Block key={i} text={block} math={math} components={components} />
      ))}
    </div>
  );
}
