import { describe, expect, it } from "vitest";
import { mergeApplied } from "./apply-merge.js";
import { objectShape } from "./schema-shape.js";
import { WIDGET_SCHEMA } from "./testing/widget-schema.js";

const shape = objectShape(WIDGET_SCHEMA);
const names = (rules: { name: string }[]) => rules.map((r) => r.name);
const rules = (...n: string[]) => n.map((name) => ({ name }));

const cases: { name: string; live: unknown; config: unknown; want: unknown }[] = [
  { name: "keeps live fields the config does not mention", live: { spec: { description: "d", replicas: 1 } }, config: { spec: { replicas: 2 } }, want: { spec: { description: "d", replicas: 2 } } },
  { name: "replaces atomic lists whole", live: { spec: { tags: ["a", "b"] } }, config: { spec: { tags: ["c"] } }, want: { spec: { tags: ["c"] } } },
  { name: "replaces atomic maps whole", live: { spec: { selector: { team: "a", tier: "x" } } }, config: { spec: { selector: { team: "b" } } }, want: { spec: { selector: { team: "b" } } } },
  { name: "unions sets", live: { spec: { permissions: ["a", "b"] } }, config: { spec: { permissions: ["b", "c"] } }, want: { spec: { permissions: ["a", "b", "c"] } } },
  {
    name: "merges map-keyed conditions by type",
    live: { status: { conditions: [{ type: "Ready", status: "False", reason: "Wait" }, { type: "Synced", status: "True" }] } },
    config: { status: { conditions: [{ type: "Ready", status: "True" }] } },
    want: { status: { conditions: [{ type: "Ready", status: "True", reason: "Wait" }, { type: "Synced", status: "True" }] } },
  },
  {
    name: "replaces an atomic list inside a keyed item",
    live: { spec: { rules: [{ name: "a", action: "deny", ports: [1, 2] }] } },
    config: { spec: { rules: [{ name: "a", ports: [3] }] } },
    want: { spec: { rules: [{ name: "a", action: "deny", ports: [3] }] } },
  },
  { name: "merges free map keys", live: { spec: { settings: { a: "1" } } }, config: { spec: { settings: { b: "2" } } }, want: { spec: { settings: { a: "1", b: "2" } } } },
  { name: "merges deduced objects key by key", live: { spec: { extra: { x: { y: 1 } } } }, config: { spec: { extra: { x: { z: 2 } } } }, want: { spec: { extra: { x: { y: 1, z: 2 } } } } },
  { name: "takes the config where the live value has another kind", live: { spec: { extra: "s" } }, config: { spec: { extra: { a: 1 } } }, want: { spec: { extra: { a: 1 } } } },
  { name: "takes the config when nothing is live", live: undefined, config: { spec: { description: "d" } }, want: { spec: { description: "d" } } },
];

const orders: { name: string; live: string[]; config: string[]; want: string[] }[] = [
  { name: "appends new items after live ones", live: ["a", "b"], config: ["c"], want: ["a", "b", "c"] },
  { name: "keeps live order when the config agrees", live: ["a", "b", "c"], config: ["a", "c"], want: ["a", "b", "c"] },
  { name: "follows the config's order for shared items", live: ["a", "b", "c"], config: ["c", "a"], want: ["b", "c", "a"] },
  { name: "puts new items where the config puts them", live: ["a", "c"], config: ["a", "b", "c"], want: ["a", "b", "c"] },
];

describe("mergeApplied", () => {
  it.each(cases)("$name", ({ live, config, want }) => {
    const before = structuredClone({ live, config });
    expect(mergeApplied(live, config, shape)).toEqual(want);
    expect({ live, config }).toEqual(before);
  });

  it.each(orders)("orders map-keyed items: $name", ({ live, config, want }) => {
    const merged = mergeApplied({ spec: { rules: rules(...live) } }, { spec: { rules: rules(...config) } }, shape) as { spec: { rules: { name: string }[] } };
    expect(names(merged.spec.rules)).toEqual(want);
  });

  it("rejects a config whose keyed item has no key, wherever it sits", () => {
    expect(() => mergeApplied({}, { spec: { rules: [{ action: "x" }] } }, shape)).toThrow(/spec\.rules\[0\]\.name: Required value/);
  });

  it("keeps untracked live duplicates in place", () => {
    const merged = mergeApplied({ status: { conditions: [{ type: "A", n: 1 }, { type: "A", n: 2 }] } }, { status: { conditions: [{ type: "B" }] } }, shape);
    expect(merged).toEqual({ status: { conditions: [{ type: "A", n: 1 }, { type: "A", n: 2 }, { type: "B" }] } });
  });
});
