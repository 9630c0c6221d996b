/**
 * A rehype plugin, run after KaTeX: display math scrolls sideways inside its own box when wide,
 * so each box is made a named region the keyboard can reach and scroll (as tables and code are).
 */

export interface MathNode {
  type: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: MathNode[];
}

function isDisplayMath(node: MathNode): boolean {
  const classes = node.properties?.className;
  return node.type === "element" && Array.isArray(classes) && classes.includes("katex-display");
}

function mark(node: MathNode): void {
  if (isDisplayMath(node)) {
    node.properties = { ...node.properties, tabIndex: 0, role: "region", ariaLabel: "Math" };
    return; // KaTeX nests no display math inside display math
  }
  for (const child of node.children ?? []) mark(child);
}

export function rehypeFocusableMath(): (tree: MathNode) => void {
  return mark;
}
