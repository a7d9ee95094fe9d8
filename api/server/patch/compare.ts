// What changed between two versions of a value, path by path, as structured-merge-diff's Compare:
// leaves that were added, removed or modified, and containers that appeared or disappeared.

import { FieldSet } from "./field-set.js";
import { jsonEqual } from "./json-value.js";
import type { PathKey } from "./path-element.js";
import { resolveShape, type Shape } from "./schema-shape.js";
import { containerOf, type Entry } from "./typed-entries.js";

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export interface CompareOptions {
  /** Whether to reject a bad `after` (a client's value) rather than leave its bad items untracked. */
  strictAfter: boolean;
}

/** Compares `before` and `after` (undefined meaning absent). The root itself is never reported. */
export function compareValues(before: unknown, after: unknown, shape: Shape, options: CompareOptions): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walk(before, after, shape, [], out, options.strictAfter);
  return out;
}

function walk(before: unknown, after: unknown, shape: Shape, path: PathKey[], out: Comparison, strict: boolean): void {
  // Each side is read with its own shape, so a deduced value that changed kind still lists what it held.
  const sBefore = resolveShape(shape, before !== undefined ? before : after);
  const sAfter = resolveShape(shape, after !== undefined ? after : before);
  const lhs = before === undefined ? emptyOf(sAfter.kind) : containerOf(before, sBefore, { path, strict: false });
  const rhs = after === undefined ? emptyOf(sBefore.kind) : containerOf(after, sAfter, { path, strict });
  if (!lhs || !rhs) {
    // Atomic values, or a value that changed kind: the path itself changed; what was under it went, what is under it came.
    leaf(before, after, path, out);
    if (lhs) for (const e of tracked(lhs.entries)) walk(e.value, undefined, e.shape, [...path, e.key], out, strict);
    if (rhs) for (const e of tracked(rhs.entries)) walk(undefined, e.value, e.shape, [...path, e.key], out, strict);
    return;
  }
  if (lhs.entries.length === 0 && rhs.entries.length === 0) {
    // Empty or absent on both sides: compared as a leaf, so {} and absent still differ.
    leaf(before, after, path, out);
    return;
  }
  const afterByKey = new Map(tracked(rhs.entries).map((e) => [e.key, e] as const));
  const beforeKeys = new Set<PathKey>();
  for (const e of tracked(lhs.entries)) {
    beforeKeys.add(e.key);
    const next = afterByKey.get(e.key);
    walk(e.value, next?.value, next?.shape ?? e.shape, [...path, e.key], out, strict);
  }
  for (const e of afterByKey.values()) if (!beforeKeys.has(e.key)) walk(undefined, e.value, e.shape, [...path, e.key], out, strict);
  if (before === undefined) out.added.insert(path);
  else if (after === undefined) out.removed.insert(path);
}

function leaf(before: unknown, after: unknown, path: PathKey[], out: Comparison): void {
  if (before === undefined && after !== undefined) out.added.insert(path);
  else if (after === undefined && before !== undefined) out.removed.insert(path);
  else if (!jsonEqual(before, after)) out.modified.insert(path);
}

const emptyOf = (kind: string) => (kind === "map" || kind === "list" ? { kind, entries: [] } : undefined);

const tracked = (entries: Entry[]) => entries.filter((e): e is Entry & { key: PathKey } => e.key !== undefined);
