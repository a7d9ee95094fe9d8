// What changed between two versions of a value, path by path, as structured-merge-diff's Compare:
// leaves that were added, removed or modified, and containers that appeared or disappeared.

import { FieldSet } from "./field-set.js";
import { jsonEqual } from "./json-value.js";
import { extendPath, type PathChain, type PathKey } from "./path-element.js";
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
  const { below } = walk(before, after, shape, undefined, options.strictAfter);
  return { added: below.added ?? new FieldSet(), modified: below.modified ?? new FieldSet(), removed: below.removed ?? new FieldSet() };
}

type Change = keyof Comparison;

/**
 * What changed at one value: `self`, whether its own path was added, modified or removed, and `below`,
 * the changes under it relative to it. The caller files both under the value's key, so each level costs
 * the same however deep it sits (no path is rebuilt on the way down).
 */
interface Changes {
  self?: Change;
  below: Partial<Comparison>;
}

function walk(before: unknown, after: unknown, shape: Shape, path: PathChain, strict: boolean): Changes {
  // Each side is read with its own shape, so a deduced value that changed kind still lists what it held.
  const sBefore = resolveShape(shape, before !== undefined ? before : after);
  const sAfter = resolveShape(shape, after !== undefined ? after : before);
  const lhs = before === undefined ? emptyOf(sAfter.kind) : containerOf(before, sBefore, { path, strict: false });
  const rhs = after === undefined ? emptyOf(sBefore.kind) : containerOf(after, sAfter, { path, strict });
  const out: Changes = { below: {} };
  if (!lhs || !rhs) {
    // Atomic values, or a value that changed kind: the path itself changed; what was under it went, what is under it came.
    out.self = leaf(before, after);
    if (lhs) for (const e of tracked(lhs.entries)) file(out, e.key, walk(e.value, undefined, e.shape, extendPath(path, e.key), strict));
    if (rhs) for (const e of tracked(rhs.entries)) file(out, e.key, walk(undefined, e.value, e.shape, extendPath(path, e.key), strict));
    return out;
  }
  if (lhs.entries.length === 0 && rhs.entries.length === 0) {
    // Empty or absent on both sides: compared as a leaf, so {} and absent still differ.
    out.self = leaf(before, after);
    return out;
  }
  const afterByKey = new Map(tracked(rhs.entries).map((e) => [e.key, e] as const));
  const beforeKeys = new Set<PathKey>();
  for (const e of tracked(lhs.entries)) {
    beforeKeys.add(e.key);
    const next = afterByKey.get(e.key);
    file(out, e.key, walk(e.value, next?.value, next?.shape ?? e.shape, extendPath(path, e.key), strict));
  }
  for (const e of afterByKey.values()) if (!beforeKeys.has(e.key)) file(out, e.key, walk(undefined, e.value, e.shape, extendPath(path, e.key), strict));
  if (before === undefined) out.self = "added";
  else if (after === undefined) out.self = "removed";
  return out;
}

/** Files a child's changes under its key in its parent's. */
function file(parent: Changes, key: PathKey, child: Changes): void {
  if (child.self) setOf(parent, child.self).members.add(key);
  for (const change of ["added", "modified", "removed"] as const) {
    const below = child.below[change];
    if (below && !below.isEmpty()) setOf(parent, change).children.set(key, below);
  }
}

const setOf = (changes: Changes, change: Change): FieldSet => (changes.below[change] ??= new FieldSet());

function leaf(before: unknown, after: unknown): Change | undefined {
  if (before === undefined && after !== undefined) return "added";
  if (after === undefined && before !== undefined) return "removed";
  return jsonEqual(before, after) ? undefined : "modified";
}

const emptyOf = (kind: string) => (kind === "map" || kind === "list" ? { kind, entries: [] } : undefined);

const tracked = (entries: Entry[]) => entries.filter((e): e is Entry & { key: PathKey } => e.key !== undefined);
