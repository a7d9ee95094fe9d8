// Field management and patching cost time in proportion to the object's size, however it is shaped:
// a value nested a thousand levels, or one with thousands of keys, costs about what a flat one of as
// many fields does. (Request bodies are limited to 100 levels; this checks the algorithms beyond it.)

import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../machinery/meta.js";
import { compareValues } from "./compare.js";
import { FieldSet } from "./field-set.js";
import { fieldSetOf } from "./field-set-of.js";
import { updateManagedFields } from "./managed-fields.js";
import { applyMergePatch, createMergePatch } from "./merge-patch.js";
import { objectShape } from "./schema-shape.js";
import { serverSideApply } from "./server-side-apply.js";
import { stepTime, widget } from "./testing/field-manager-steps.js";
import { WIDGET_SCHEMA } from "./testing/widget-schema.js";

const FIELDS = 1000;
const shape = objectShape(WIDGET_SCHEMA);

/** `{a: {a: … {leaf: 1}}}` with `levels` objects. */
function deep(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}
/** `{k0: 1, k1: 1, …}` with `keys` keys. */
const flat = (keys: number): Record<string, unknown> => Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, 1]));
/** A widget whose preserved `spec.extra` holds `extra`, which field management tracks key by key. */
const withExtra = (extra: unknown): KubeObject => widget({ spec: { extra } });
/** A copy of `value` whose innermost first leaf is changed, so a diff has to go all the way down. */
function withChangedLeaf(value: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(value);
  let at = copy;
  for (;;) {
    const [key, child] = Object.entries(at)[0]!;
    if (typeof child !== "object" || child === null) return (at[key] = 2), copy;
    at = child as Record<string, unknown>;
  }
}

type Work = (extra: Record<string, unknown>) => unknown;

const steps: [string, Work][] = [
  ["records the managed fields of a create", (extra) => updateManagedFields({ updated: withExtra(extra), manager: "m", operation: "Update", now: stepTime(0), schema: WIDGET_SCHEMA })],
  [
    "records the managed fields of an update that replaces every field",
    (extra) => {
      const live = withExtra(extra);
      live.metadata.managedFields = updateManagedFields({ updated: live, manager: "a", operation: "Update", now: stepTime(0), schema: WIDGET_SCHEMA });
      return updateManagedFields({ live, updated: withExtra({ other: extra }), manager: "b", operation: "Update", now: stepTime(1), schema: WIDGET_SCHEMA });
    },
  ],
  [
    "applies server-side twice, pruning what the second apply dropped",
    (extra) => {
      const first = serverSideApply({ applied: withExtra(extra), manager: "m", force: false, now: stepTime(0), schema: WIDGET_SCHEMA });
      return serverSideApply({ live: first, applied: withExtra({ other: 1 }), manager: "m", force: false, now: stepTime(1), schema: WIDGET_SCHEMA });
    },
  ],
  ["compares two versions", (extra) => compareValues(withExtra(extra), withExtra({ ...withChangedLeaf(extra), other: extra }), shape, { strictAfter: true })],
  ["lists the fields a value sets", (extra) => fieldSetOf(withExtra(extra), shape, { strict: true })],
  [
    "combines, encodes and decodes field sets",
    (extra) => {
      const set = fieldSetOf(withExtra(extra), shape, { strict: true });
      const back = FieldSet.fromFieldsV1(set.union(set).difference(new FieldSet()).intersection(set).toFieldsV1());
      return [back.has(["f:spec", "f:extra"]), back.touches(["f:spec"])];
    },
  ],
  ["applies a merge patch", (extra) => applyMergePatch(withExtra(extra), { spec: { extra: { ...extra, added: 1 } } })],
  ["creates a merge patch", (extra) => createMergePatch(withExtra(extra), withExtra(withChangedLeaf(extra)))],
];

/** The fastest of a few runs, in ms: the one least disturbed by the rest of the machine. */
function fastest(work: () => unknown, runs = 9): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe("the cost of field management and patching", () => {
  it.each(steps)("%s for a value nested 1,000 levels in less than 20x the time of a flat one", (name, work) => {
    const baseline = fastest(() => work(flat(FIELDS)));
    const cost = fastest(() => work(deep(FIELDS)));
    console.info(`${name}, deep: ${cost.toFixed(2)} ms, flat: ${baseline.toFixed(2)} ms, ratio ${(cost / baseline).toFixed(2)}`);
    expect(cost / baseline).toBeLessThan(20);
  });

  // Eight times the keys: a linear cost is about 8x, a quadratic one 64x; the margin absorbs the garbage collector.
  it.each(steps)("%s for a value with 8,000 keys in less than 32x the time of one with 1,000", (name, work) => {
    const baseline = fastest(() => work(flat(FIELDS)));
    const cost = fastest(() => work(flat(8 * FIELDS)));
    console.info(`${name}, wide: ${cost.toFixed(2)} ms, 1,000 keys: ${baseline.toFixed(2)} ms, ratio ${(cost / baseline).toFixed(2)}`);
    expect(cost / baseline).toBeLessThan(32);
  });
});
