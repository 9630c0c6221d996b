/** remark-math + rehype-katex (and KaTeX's stylesheet), loaded only when a message has math. */

import type { Options } from "react-markdown";
import { rehypeFocusableMath } from "./focusableMath";

type PluggableList = NonNullable<Options["remarkPlugins"]>;

export interface MathPlugins {
  remark: PluggableList;
  rehype: PluggableList;
}

let loading: Promise<MathPlugins> | null = null;
let loaded: MathPlugins | null = null;

export function loadMathPlugins(): Promise<MathPlugins> {
  loading ??= import("./katexPlugins").then(({ remarkMath, rehypeKatex }) => {
    loaded = {
      remark: [remarkMath],
      rehype: [
        [rehypeKatex, { throwOnError: false, strict: "ignore", output: "htmlAndMathml" }],
        rehypeFocusableMath,
      ],
    };
    return loaded;
  });
  return loading;
}

export function mathPluginsIfLoaded(): MathPlugins | null {
  return loaded;
}
