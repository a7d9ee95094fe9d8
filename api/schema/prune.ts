// Pruning as Kubernetes does it for structural schemas: fields the schema does not declare are removed
// (and reported, for fieldValidation), and nulls in non-nullable fields are dropped before defaulting.

import { fieldChild, fieldIndex, itemsOf, mapValuesOf, propertiesOf, type SchemaNode } from "./field-path.js";

export interface PruneResult {
  value: unknown;
  /** Field paths of undeclared fields, such as `spec.foo`, in document order. */
  unknownFields: string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Returns a pruned copy of value; the input is not modified. */
export function pruneUnknownFields(schema: SchemaNode, value: unknown, path = ""): PruneResult {
  const unknownFields: string[] = [];
  const pruned = prune(schema, value, { root: path }, unknownFields);
  return { value: pruned, unknownFields };
}

/**
 * Where a value sits, one link per level, spelled out (`spec.rules[0].x`) only for an unknown field:
 * building the text at every level would cost as much as the path is long, for every value.
 */
type Where = { root: string } | { up: Where; name: string | number; index: boolean };

function spell(where: Where): string {
  const steps: { name: string | number; index: boolean }[] = [];
  let at = where;
  for (; "up" in at; at = at.up) steps.push(at);
  return steps.reduceRight((path, step) => (step.index ? fieldIndex(path, step.name) : fieldChild(path, String(step.name))), at.root);
}

function prune(schema: SchemaNode | undefined, value: unknown, where: Where, unknown: string[]): unknown {
  if (schema === undefined) return structuredClone(value);
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    return value.map((item, i) => prune(items, item, { up: where, name: i, index: true }, unknown));
  }
  if (!isPlainObject(value)) return value;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const properties = propertiesOf(schema);
  const values = mapValuesOf(schema);
  const keepAll = preserve || schema.additionalProperties === true;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const declared = Object.hasOwn(properties, key) ? properties[key] : undefined;
    const childSchema = declared ?? values;
    if (childSchema) {
      if (child === null && childSchema.nullable !== true) continue;
      setOwn(out, key, prune(childSchema, child, { up: where, name: key, index: !declared }, unknown));
    } else if (keepAll) {
      setOwn(out, key, structuredClone(child));
    } else {
      unknown.push(fieldChild(spell(where), key));
    }
  }
  return out;
}

/** Plain assignment of `__proto__` would replace the prototype; the key is kept as data, as JSON.parse keeps it. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
