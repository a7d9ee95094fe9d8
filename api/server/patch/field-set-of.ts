// The set of fields a value sets, as structured-merge-diff's ToFieldSet: every scalar and atomic value,
// every list item, every free map key, and a named property only when it is null or an empty object.

import { FieldSet } from "./field-set.js";
import { isJsonObject } from "./json-value.js";
import { extendPath, type PathChain } from "./path-element.js";
import { childShape, isNamedField, type Shape } from "./schema-shape.js";
import { containerOf } from "./typed-entries.js";

export function fieldSetOf(value: unknown, shape: Shape, options: { strict: boolean }): FieldSet {
  return walk(value, shape, undefined, options.strict).below ?? new FieldSet();
}

/**
 * The fields of one value: whether it is itself a field (`self`, for scalars and atomic values) and the
 * fields under it, relative to it. The caller files them under the value's key, so no path is rebuilt.
 */
function walk(value: unknown, shape: Shape, path: PathChain, strict: boolean): { self: boolean; below?: FieldSet } {
  const container = containerOf(value, shape, { path, strict });
  if (!container) return { self: true };
  const below = new FieldSet();
  for (const entry of container.entries) {
    if (entry.key === undefined) continue;
    const child = walk(entry.value, entry.shape, extendPath(path, entry.key), strict);
    const emptyObject = isJsonObject(entry.value) && Object.keys(entry.value).length === 0;
    if (child.self || container.kind === "list" || !entry.named || entry.value === null || emptyObject) below.members.add(entry.key);
    if (child.below && !child.below.isEmpty()) below.children.set(entry.key, child.below);
  }
  return { self: false, below };
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
