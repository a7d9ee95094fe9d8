// Removes the paths of a set from a value, as structured-merge-diff's RemoveItems: a member goes with
// everything under it; a path with children is descended into. Returns a new value.

import type { FieldSet } from "./field-set.js";
import { setOwn, type JsonObject } from "./json-value.js";
import { extendPath, type PathChain, type PathKey } from "./path-element.js";
import type { Shape } from "./schema-shape.js";
import { containerOf } from "./typed-entries.js";

export function removeItems(value: unknown, set: FieldSet, shape: Shape, path: PathChain = undefined): unknown {
  const container = containerOf(value, shape, { path, strict: false });
  if (!container || set.isEmpty()) return value;
  const kept: [PathKey | undefined, unknown][] = [];
  for (const entry of container.entries) {
    const { key } = entry;
    if (key === undefined) {
      kept.push([key, entry.value]);
      continue;
    }
    if (set.members.has(key)) continue;
    const below = set.children.get(key);
    kept.push([key, below ? removeItems(entry.value, below, entry.shape, extendPath(path, key)) : entry.value]);
  }
  if (container.kind === "list") return kept.map(([, v]) => v);
  const out: JsonObject = {};
  for (const [key, v] of kept) setOwn(out, key!.slice(2), v);
  return out;
}
