/** The math plugins and KaTeX's stylesheet in one module, so they load as one lazy chunk. */
import "katex/dist/katex.min.css";

export { default as remarkMath } from "remark-math";
export { default as rehypeKatex } from "rehype-katex";
