import { describe, expect, it } from "vitest";
import { dataUrlToBlob } from "./files";

describe("dataUrlToBlob", () => {
  it("gives back the exact bytes and the type of a base64 data: URL", async () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    const blob = dataUrlToBlob(`data:image/png;base64,${Buffer.from(bytes).toString("base64")}`);
    expect(blob.type).toBe("image/png");
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
  });
});
