import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { findRepoRoot } from "../schema/repo-root.js";
import { scanYaml } from "./yaml-scan.js";

/** The depth the scan reports: the smallest limit it stays within (the answer only grows with the limit). */
function scannedDepth(text: string): number {
  let [low, high] = [0, 1000];
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (scanYaml(text, mid).tooDeep) low = mid + 1;
    else high = mid;
  }
  return low;
}

const depthOf = (value: unknown): number => {
  if (typeof value !== "object" || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0);
};

describe("the nesting the scan reads", () => {
  it.each([
    ["a scalar nests nothing", "just text", 0],
    ["a map is one level", "a: 1\nb: 2\n", 1],
    ["maps nest by indentation", "a:\n  b:\n    c: 1\n  d: 2\ne: 3\n", 3],
    ["a sequence under a key at the key's own indentation is one more level", "a:\n- 1\n- 2\nb: 3\n", 2],
    ["compact sequences on one line nest", "- - - 1\n", 3],
    ["a map in a sequence item nests", "- a: 1\n  b:\n    c: 2\n- d: 3\n", 3],
    ["flow collections nest by brackets", "a: [1, {b: [2]}]\n", 4],
    ["brackets in quotes and comments do not count", "a: \"[[[\" # [[[\nb: '{{ ''[['' }}'\n", 1],
    ["brackets inside a plain scalar do not count", "a: see [the docs] {here}\n", 1],
    ["a block scalar's lines are text", "a: |\n  - - - x\n  b: [[[\nc: 1\n", 1],
    ["a folded block scalar ends at the first line back at its parent's level", "a:\n  b: >-\n    x: [[[\n  c:\n    d: 1\n", 3],
    ["a single-pair map in a flow sequence is a level", "[a: [b: c]]\n", 4],
    ["JSON is read as the YAML it is", '{"a":{"b":[1,{"c":2}]},"d":[]}', 4],
    ["a JSON-like key takes its value right after the colon", 'a:\n  "b":[[1]]\n', 4],
    ["a flow collection spanning lines nests", "a: [\n  [1,\n   [2]],\n]\nb: 1\n", 4],
    ["a document marker starts over", "a:\n  b: 1\n---\nc: 1\n", 2],
    ["an explicit key is a map", "? - a\n: b\n", 2],
  ])("%s", (_name, text, depth) => {
    expect(scannedDepth(text)).toBe(depth);
  });

  it("is never shallower than the value the yaml package reads, for the repository's manifests and CRDs", () => {
    const root = findRepoRoot();
    for (const dir of ["manifests", "crds"]) {
      for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith(".yaml"))) {
        for (const doc of readFileSync(join(root, dir, file), "utf8").split(/^---$/m)) {
          const depth = Math.max(0, ...parseAllDocuments(doc).map((d) => depthOf(d.toJS())));
          expect({ file, depth: scannedDepth(doc) }).toEqual({ file, depth });
        }
      }
    }
  });

  it("is never shallower than the value, for random values written in every style", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const build = (level: number): unknown => {
      const r = random();
      if (level > 12 || r < 0.25) return [1, "a b", "x: [y]", "- z", "multi\nline\ntext", "", null, true][Math.floor(random() * 8)];
      const n = 1 + Math.floor(random() * 3);
      if (r < 0.6) return Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}${random() < 0.2 ? " [q]" : ""}`, build(level + 1)]));
      return Array.from({ length: n }, () => build(level + 1));
    };
    for (let i = 0; i < 150; i++) {
      const value = build(0);
      const options = { indent: 1 + Math.floor(random() * 4), indentSeq: random() < 0.5, flowCollectionPadding: random() < 0.5, collectionStyle: random() < 0.2 ? ("flow" as const) : ("any" as const) };
      const text = stringify(value, options);
      const scanned = scannedDepth(text);
      expect(scanned, text).toBeGreaterThanOrEqual(depthOf(value));
      expect(scanned, text).toBeLessThanOrEqual(depthOf(value) + 1);
    }
  });
});

describe("what the scan counts", () => {
  it.each([
    ["anchors, aliases and tags in block and flow style", "a: &x 1\nb: *x\nc: !t [&y 2, *y, !u 3]\n", { anchors: 2, aliases: 2, tags: 2 }],
    ["none inside quotes, comments or plain text", "a: \"&x *y !z\" # &a *b\nb: a&b c*d e!f\n", { anchors: 0, aliases: 0, tags: 0 }],
  ])("%s", (_name, text, counts) => {
    const { anchors, aliases, tags } = scanYaml(text, 100);
    expect({ anchors, aliases, tags }).toEqual(counts);
  });

  it("scans a megabyte nested 500,000 deep with loops, stopping at the limit", () => {
    expect(scanYaml("- ".repeat(500_000) + "1", 100).tooDeep).toBe(true);
    expect(scanYaml("[".repeat(500_000) + "]".repeat(500_000), 100).tooDeep).toBe(true);
    expect(scanYaml("a: ".repeat(300_000) + "1", 100).tooDeep).toBe(true);
  });
});
