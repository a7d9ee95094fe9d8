// The set of fields a value sets, as structured-merge-diff's ToFieldSet: every scalar and atomic value,
// every list item, every free map key, and a named property only when it is null or an empty object.

import { FieldSet } from "./field-set.js";
import { isJsonObject } from "./json-value.js";
import type { PathKey } from "./path-element.js";
import { childShape, isNamedField, type Shape } from "./schema-shape.js";
import { containerOf } from "./typed-entries.js";

export function fieldSetOf(value: unknown, shape: Shape, options: { strict: boolean }): FieldSet {
  const set = new FieldSet();
  walk(value, shape, [], set, options.strict);
  return set;
}

function walk(value: unknown, shape: Shape, path: PathKey[], set: FieldSet, strict: boolean): void {
  const container = containerOf(value, shape, { path, strict });
  if (!container) {
    set.insert(path);
    return;
  }
  for (const entry of container.entries) {
    if (entry.key === undefined) continue;
    const here = [...path, entry.key];
    walk(entry.value, entry.shape, here, set, strict);
    const emptyObject = isJsonObject(entry.value) && Object.keys(entry.value).length === 0;
    if (container.kind === "list" || !entry.named || entry.value === null || emptyObject) set.insert(here);
  }
}

/**
 * The set plus every named property that has something under it (structured-merge-diff's
 * EnsureNamedFieldsAreMembers), so that owning `.spec.description` also keeps `.spec` from being pruned.
 */
export function withNamedFieldsAsMembers(set: FieldSet, shape: Shape): FieldSet {
  const out = new FieldSet();
  for (const member of set.members) out.members.add(member);
  for (const [key, child] of set.children) {
    if (isNamedField(shape, key)) out.members.add(key);
    out.children.set(key, withNamedFieldsAsMembers(child, childShape(shape, key)));
  }
  return out;
}
