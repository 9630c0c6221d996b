import { describe, expect, it } from "vitest";
import { convertMathDelimiters, mayContainMath } from "./math";

describe("convertMathDelimiters", () => {
  it("turns \\( \\) into inline $ $", () => {
    expect(convertMathDelimiters("Area is \\( \\pi r^2 \\) here")).toBe("Area is $\\pi r^2$ here");
  });

  it("turns a \\[ \\] block on its own lines into a $$ block", () => {
    expect(convertMathDelimiters("Sum:\n\\[\n\\sum_i x_i\n\\]\nend")).toBe("Sum:\n$$\n\\sum_i x_i\n$$\nend");
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
    expect(convertMathDelimiters("`\\(x\\)` and ``a ` \\(y\\)`` but \\(z\\)")).toBe(
      "`\\(x\\)` and ``a ` \\(y\\)`` but $z$",
    );
  });

  it("does not touch escaped backslashes or unclosed delimiters", () => {
    expect(convertMathDelimiters("a \\\\(not math) and \\(open")).toBe("a \\\\(not math) and \\(open");
  });

  it("leaves text without delimiters identical", () => {
    const text = "plain $x$ and (parens) [brackets]";
    expect(convertMathDelimiters(text)).toBe(text);
  });
});

describe("dollar signs: currency stays text, math stays math", () => {
  const convert = convertMathDelimiters;

  it("escapes prices", () => {
    expect(convert("It costs $5 and $10.")).toBe("It costs \\$5 and \\$10.");
    expect(convert("between $5-$10 a month")).toBe("between \\$5-\\$10 a month");
    expect(convert("a $ sign")).toBe("a \\$ sign");
    expect(convert("USD $1,000 or $2,000 total")).toBe("USD \\$1,000 or \\$2,000 total");
  });

  it("keeps real inline and display math", () => {
    expect(convert("where $x^2 + y^2 = r^2$ holds")).toBe("where $x^2 + y^2 = r^2$ holds");
    expect(convert("$a$, $b$ and $c$.")).toBe("$a$, $b$ and $c$.");
    expect(convert("$$\\frac{1}{2}$$")).toBe("$$\\frac{1}{2}$$");
    expect(convert("$$\na $ b\n$$")).toBe("$$\na $ b\n$$");
  });

  it("mixes both in one line", () => {
    expect(convert("Pay $5 when $n=2$ items")).toBe("Pay \\$5 when $n=2$ items");
  });

  it("does not pair dollars across paragraphs", () => {
    expect(convert("costs $5\n\nand x$ more")).toBe("costs \\$5\n\nand x\\$ more");
  });

  it("leaves escaped dollars and code alone", () => {
    expect(convert("\\$5 and `$10`")).toBe("\\$5 and `$10`");
    expect(convert("```sh\necho $HOME $5\n```")).toBe("```sh\necho $HOME $5\n```");
  });
});

describe("mayContainMath", () => {
  it("spots dollars and backslash delimiters", () => {
    expect(mayContainMath("cost $5")).toBe(true);
    expect(mayContainMath("\\(x\\)")).toBe(true);
    expect(mayContainMath("plain")).toBe(false);
  });
});
