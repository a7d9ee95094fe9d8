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
  const pruned = prune(schema, value, path, unknownFields);
  return { value: pruned, unknownFields };
}

function prune(schema: SchemaNode | undefined, value: unknown, path: string, unknown: string[]): unknown {
  if (schema === undefined) return structuredClone(value);
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    return value.map((item, i) => prune(items, item, fieldIndex(path, i), unknown));
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
      out[key] = prune(childSchema, child, declared ? fieldChild(path, key) : fieldIndex(path, key), unknown);
    } else if (keepAll) {
      out[key] = structuredClone(child);
    } else {
      unknown.push(fieldChild(path, key));
    }
  }
  return out;
}
