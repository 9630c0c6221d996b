/** A chat's automatic title: the first line of its first prompt, shortened. */
export function titleFromPrompt(text: string, imageCount = 0): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (!line) return imageCount ? "Image" : "New chat";
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line;
}
