import { describe, expect, it } from "vitest";
import { ndjsonValues } from "./ndjson-lines.js";

async function collect(chunks: (string | Uint8Array)[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of ndjsonValues((async function* () { yield* chunks; })())) out.push(v);
  return out;
}

const bytes = new TextEncoder().encode('{"a":"é"}\n');

describe("ndjsonValues", () => {
  it.each([
    { name: "yields one value per line", chunks: ['{"a":1}\n{"a":2}\n'], want: [{ a: 1 }, { a: 2 }] },
    { name: "joins a value split across chunks", chunks: ['{"a"', ":1}\n"], want: [{ a: 1 }] },
    { name: "keeps a multi-byte character split across chunks", chunks: [bytes.slice(0, 7), bytes.slice(7)], want: [{ a: "é" }] },
    { name: "skips blank lines and reads a last line without newline", chunks: ['\n{"a":1}\n\n{"a":2}'], want: [{ a: 1 }, { a: 2 }] },
  ])("$name", async ({ chunks, want }) => {
    expect(await collect(chunks)).toEqual(want);
  });

  it("names a line that is not JSON", async () => {
    await expect(collect(["nope\n"])).rejects.toThrow(/not JSON: nope/);
  });
});
