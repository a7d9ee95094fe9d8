// What server-side apply needs from a CRD's openAPIV3Schema: which values are maps (merged key by key),
// which lists are sets or map-keyed (merged item by item), and which are atomic (owned whole).

import { isJsonObject } from "./json-value.js";

export type Shape = ScalarShape | MapShape | ListShape | DeducedShape;

export interface ScalarShape {
  kind: "scalar";
}

/** An object: `fields` are the named properties; any other key has the `element` shape. */
export interface MapShape {
  kind: "map";
  fields: ReadonlyMap<string, Shape>;
  element: Shape;
  atomic: boolean;
}

export interface ListShape {
  kind: "list";
  listType: "atomic" | "set" | "map";
  /** x-kubernetes-list-map-keys, for listType map. */
  keys: readonly string[];
  element: Shape;
}

/** No schema: objects are granular maps, lists atomic, as structured-merge-diff deduces. */
export interface DeducedShape {
  kind: "deduced";
}

export const SCALAR: ScalarShape = { kind: "scalar" };
export const DEDUCED: DeducedShape = { kind: "deduced" };
const DEDUCED_MAP: MapShape = { kind: "map", fields: new Map(), element: DEDUCED, atomic: false };
const DEDUCED_LIST: ListShape = { kind: "list", listType: "atomic", keys: [], element: DEDUCED };

const STRING_MAP: MapShape = { kind: "map", fields: new Map(), element: SCALAR, atomic: false };

/** The parts of metadata a client manages, typed as Kubernetes types them (ownerReferences keyed by uid). */
export const METADATA_SHAPE: MapShape = {
  kind: "map",
  fields: new Map<string, Shape>([
    ["labels", STRING_MAP],
    ["annotations", STRING_MAP],
    ["finalizers", { kind: "list", listType: "set", keys: [], element: SCALAR }],
    [
      "ownerReferences",
      {
        kind: "list",
        listType: "map",
        keys: ["uid"],
        element: {
          kind: "map",
          fields: new Map(["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"].map((f) => [f, SCALAR])),
          element: DEDUCED,
          atomic: false,
        },
      },
    ],
  ]),
  element: DEDUCED,
  atomic: false,
};

/** objectShape per schema object: a pure function of a schema that never changes, asked on every write. */
const shapes = new WeakMap<object, MapShape>();

/** The shape of a whole object of a kind, from its openAPIV3Schema, with metadata typed as Kubernetes does. */
export function objectShape(schema: unknown): MapShape {
  if (!isJsonObject(schema)) return computeObjectShape(schema);
  let shape = shapes.get(schema);
  if (!shape) shapes.set(schema, (shape = computeObjectShape(schema)));
  return shape;
}

function computeObjectShape(schema: unknown): MapShape {
  const root = shapeOf(schema);
  const base = root.kind === "map" ? root : DEDUCED_MAP;
  return { ...base, fields: new Map([...base.fields, ["metadata", METADATA_SHAPE]]) };
}

export function shapeOf(schema: unknown): Shape {
  if (!isJsonObject(schema)) return DEDUCED;
  if (schema["x-kubernetes-int-or-string"] === true) return SCALAR;
  const type = schema.type;
  if (type === "array") {
    const listType = schema["x-kubernetes-list-type"];
    const keys = schema["x-kubernetes-list-map-keys"];
    return {
      kind: "list",
      listType: listType === "set" || listType === "map" ? listType : "atomic",
      keys: listType === "map" && Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [],
      element: shapeOf(schema.items),
    };
  }
  if (type === "object" || isJsonObject(schema.properties) || schema.additionalProperties !== undefined) {
    const properties = isJsonObject(schema.properties) ? schema.properties : {};
    const fields = new Map(Object.entries(properties).map(([name, sub]) => [name, shapeOf(sub)] as const));
    const extra = schema.additionalProperties;
    // Keys the schema does not name (free-form or preserved objects) are deduced from their values.
    const element = isJsonObject(extra) ? shapeOf(extra) : DEDUCED;
    return { kind: "map", fields, element, atomic: schema["x-kubernetes-map-type"] === "atomic" };
  }
  if (type === "string" || type === "integer" || type === "number" || type === "boolean") return SCALAR;
  return DEDUCED;
}

/** A deduced shape made concrete by the value it describes. */
export function resolveShape(shape: Shape, value: unknown): Exclude<Shape, DeducedShape> {
  if (shape.kind !== "deduced") return shape;
  if (isJsonObject(value)) return DEDUCED_MAP;
  if (Array.isArray(value)) return DEDUCED_LIST;
  return SCALAR;
}

/** Atomic values are compared, owned and replaced whole. */
export const isAtomic = (shape: Exclude<Shape, DeducedShape>): boolean =>
  shape.kind === "scalar" || (shape.kind === "map" && shape.atomic) || (shape.kind === "list" && shape.listType === "atomic");

/** The shape of the value a path element leads to; DEDUCED where the schema does not say. */
export function childShape(shape: Shape, key: string): Shape {
  if (shape.kind === "map") return key.startsWith("f:") ? (shape.fields.get(key.slice(2)) ?? shape.element) : DEDUCED;
  if (shape.kind === "list") return shape.element;
  return DEDUCED;
}

/** Whether a path element is a property the schema names (so an owner of anything under it owns it too when pruning). */
export const isNamedField = (shape: Shape, key: string): boolean =>
  shape.kind === "map" && key.startsWith("f:") && shape.fields.has(key.slice(2));
