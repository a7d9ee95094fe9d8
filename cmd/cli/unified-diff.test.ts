import { describe, expect, it } from "vitest";
import { unifiedHunks } from "./unified-diff.js";

const L = (text: string): string[] => (text ? text.split(" ") : []);

describe("unifiedHunks", () => {
  it.each([
    { name: "is empty when both sides are the same", a: "a b c", b: "a b c", want: "" },
    { name: "adds every line when the old side is empty", a: "", b: "a b", want: "@@ -0,0 +1,2 @@\n+a\n+b\n" },
    { name: "removes every line when the new side is empty", a: "a", b: "", want: "@@ -1 +0,0 @@\n-a\n" },
    { name: "puts a removal before its addition, with context", a: "a b c", b: "a x c", want: "@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n" },
    {
      name: "keeps three lines of context and splits distant changes into hunks",
      a: "1 2 3 4 5 6 7 8 9 10 11 12",
      b: "x 2 3 4 5 6 7 8 9 10 11 y",
      want: "@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+y\n",
    },
    { name: "joins changes whose context overlaps", a: "1 2 3 4 5", b: "x 2 3 4 y", want: "@@ -1,5 +1,5 @@\n-1\n+x\n 2\n 3\n 4\n-5\n+y\n" },
  ])("$name", ({ a, b, want }) => {
    expect(unifiedHunks(L(a), L(b))).toBe(want);
  });
});
