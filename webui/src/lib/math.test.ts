import { describe, expect, it } from "vitest";
import { convertMathDelimiters, mayContainMath } from "./math";

describe("convertMathDelimiters", () => {
  it("turns \\( \\) into inline $ $", () => {
    expect(convertMathDelimiters("Area is \\( \\pi r^2 \\) here")).toBe("Area is $\\pi r^2$ here");
  });

  it("turns a \\[ \\] block on its own lines into a $$ block", () => {
    expect(convertMathDelimiters("Sum:\n\\[\n\\sum_i x_i\n\\]\nend"))
      .toBe("Sum:\n$$\n\\sum_i x_i\n$$\nend");
  });

  it("keeps the indentation of a block inside a list item", () => {
    expect(convertMathDelimiters("- item\n  \\[ a+b \\]")).toBe("- item\n  $$\n  a+b\n  $$");
  });

  it("uses inline $$ $$ for \\[ \\] in the middle of a line", () => {
    expect(convertMathDelimiters("so \\[x=1\\] holds")).toBe("so $$x=1$$ holds");
  });

  it("leaves fenced code alone", () => {
    const text = "```latex\n\\( a \\)\n```\n\\(b\\)";
    expect(convertMathDelimiters(text)).toBe("```latex\n\\( a \\)\n```\n$b$");
  });

  it("leaves tilde fences and longer fences alone until they close", () => {
    const text = "~~~~\n```\n\\(x\\)\n~~~~\n\\(y\\)";
    expect(convertMathDelimiters(text)).toBe("~~~~\n```\n\\(x\\)\n~~~~\n$y$");
  });

  it("leaves inline code alone, with one or more backticks", () => {
    expect(convertMathDelimiters("`\\(x\\)` and ``a ` \\(y\\)`` but \\(z\\)"))
      .toBe("`\\(x\\)` and ``a ` \\(y\\)`` but $z$");
  });

  it("does not touch escaped backslashes or unclosed delimiters", () => {
    expect(convertMathDelimiters("a \\\\(not math) and \\(open")).toBe("a \\\\(not math) and \\(open");
  });

  it("leaves text without delimiters identical", () => {
    const text = "plain $x$ and (parens) [brackets]";
    expect(convertMathDelimiters(text)).toBe(text);
  });
});

describe("mayContainMath", () => {
  it("spots dollars and backslash delimiters", () => {
    expect(mayContainMath("cost $5")).toBe(true);
    expect(mayContainMath("\\(x\\)")).toBe(true);
    expect(mayContainMath("plain")).toBe(false);
  });
});
