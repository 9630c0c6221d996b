import { describe, expect, it } from "vitest";
import { rehypeFocusableMath, type MathNode } from "./focusableMath";

const el = (className: string[], children: MathNode[] = []): MathNode => ({
  type: "element",
  tagName: "span",
  properties: { className },
  children,
});

describe("rehypeFocusableMath", () => {
  it("makes each display-math box a focusable, named region and leaves inline math alone", () => {
    const display = el(["katex-display"], [el(["katex"])]);
    const inline = el(["katex"]);
    const tree: MathNode = {
      type: "root",
      children: [{ type: "element", tagName: "p", children: [inline] }, display],
    };
    rehypeFocusableMath()(tree);
    expect(display.properties).toEqual({
      className: ["katex-display"],
      tabIndex: 0,
      role: "region",
      ariaLabel: "Math",
    });
    expect(inline.properties).toEqual({ className: ["katex"] });
    expect(display.children?.[0]?.properties).toEqual({ className: ["katex"] });
  });
});
