// The children of a value under its shape, each with the path element that names it: map keys as
// `f:`, map-keyed list items as `k:`, set items as `v:`. Atomic values have no children.

import { extendPath, fieldReference, fieldKey, indexKey, keyedKey, pathOf, valueKey, type PathChain, type PathKey } from "./path-element.js";
import { isJsonObject } from "./json-value.js";
import { isAtomic, resolveShape, type Shape } from "./schema-shape.js";

export interface Entry {
  /** Undefined for a list item that cannot be tracked (a duplicate, or one missing its key, in a stored object). */
  key: PathKey | undefined;
  value: unknown;
  shape: Shape;
  /** A property the schema names (structured-merge-diff's "named field"), not a free map key. */
  named: boolean;
}

export interface Container {
  kind: "map" | "list";
  entries: Entry[];
}

/** A list item or map key that breaks the list's rules; `path` points at it. */
export class TypedValueError extends Error {
  constructor(
    readonly path: PathKey[],
    readonly reason: "FieldValueRequired" | "FieldValueDuplicate" | "FieldValueTypeMismatch",
    readonly detail: string,
  ) {
    super(`${fieldReference(path)}: ${detail}`);
    this.name = "TypedValueError";
  }
}

export interface EntryContext {
  /** Where the value sits, for errors. */
  path: PathChain;
  /** Strict for what a client sent (errors are thrown); lenient for stored objects (bad items are left untracked). */
  strict: boolean;
}

/** The entries of a granular map or list; undefined for scalars, atomic values, and values of another kind than the shape. */
export function containerOf(value: unknown, shape: Shape, ctx: EntryContext): Container | undefined {
  const s = resolveShape(shape, value);
  if (isAtomic(s)) return undefined;
  if (s.kind === "map") {
    if (!isJsonObject(value)) return undefined;
    return {
      kind: "map",
      entries: Object.entries(value).map(([name, child]) => {
        const field = s.fields.get(name);
        return { key: fieldKey(name), value: child, shape: field ?? s.element, named: field !== undefined };
      }),
    };
  }
  if (s.kind !== "list" || !Array.isArray(value)) return undefined;
  const seen = new Set<PathKey>();
  const entries = value.map((item, index): Entry => {
    const here = () => pathOf(extendPath(ctx.path, indexKey(index)));
    const key = s.listType === "map" ? itemKey(item, s.keys, here, ctx.strict) : valueKey(item);
    if (key !== undefined && seen.has(key)) {
      if (ctx.strict) throw new TypedValueError(here(), "FieldValueDuplicate", `Duplicate value: ${key.slice(2)} appears more than once in a list whose items must be unique`);
      return { key: undefined, value: item, shape: s.element, named: false };
    }
    if (key !== undefined) seen.add(key);
    return { key, value: item, shape: s.element, named: false };
  });
  return { kind: "list", entries };
}

/** `here` gives the item's path, built only for an error. */
function itemKey(item: unknown, keys: readonly string[], here: () => PathKey[], strict: boolean): PathKey | undefined {
  if (!isJsonObject(item)) {
    if (strict) throw new TypedValueError(here(), "FieldValueTypeMismatch", `Invalid value: items of this list must be objects with ${quoteAll(keys)}`);
    return undefined;
  }
  const fields: Record<string, unknown> = {};
  for (const name of keys) {
    if (item[name] === undefined || item[name] === null) {
      if (strict) throw new TypedValueError([...here(), fieldKey(name)], "FieldValueRequired", `Required value: items of this list are identified by ${quoteAll(keys)}`);
      return undefined;
    }
    fields[name] = item[name];
  }
  return keyedKey(fields);
}

const quoteAll = (names: readonly string[]) => names.map((n) => JSON.stringify(n)).join(" and ");
