// Validates objects against their kind's openAPIV3Schema from crds/ (compiled once per kind with Ajv), the
// way the Kubernetes API server validates custom resources: prune unknown fields (reported per
// fieldValidation), drop nulls, apply defaults, then check types, formats, patterns and metadata rules.

import type { ValidateFunction } from "ajv";
import type { StatusCause } from "../machinery/errors.js";
import type { KubeObject } from "../machinery/meta.js";
import { causesFromAjv } from "./ajv-causes.js";
import type { SchemaNode } from "./field-path.js";
import { createKubeAjv } from "./kube-ajv.js";
import { metadataCauses } from "../machinery/metadata-rules.js";
import { OBJECT_META_SCHEMA } from "./object-meta-schema.js";
import { pruneUnknownFields } from "./prune.js";
import type { ResourceInfo, ResourceRegistry } from "./resource-info.js";

/** As the `fieldValidation` query parameter: unknown fields are an error (Strict), a warning (Warn) or dropped silently (Ignore). */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

export interface ValidateOptions {
  fieldValidation: FieldValidation;
}

export interface ValidationResult {
  /** Every problem found, with its field path; empty when the object is valid. */
  causes: StatusCause[];
  /** `unknown field "spec.foo"` per unknown field under fieldValidation=Warn. */
  warnings: string[];
  /** The object with unknown fields and nulls removed and schema defaults applied; meaningful only without causes. */
  pruned: KubeObject;
}

export interface Validator {
  validate(info: ResourceInfo, object: unknown, options: ValidateOptions): ValidationResult;
}

interface CompiledKind {
  schema: SchemaNode;
  check: ValidateFunction;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The CRD schema with ObjectMeta's schema in place of CRDs' bare `metadata: {type: object}`. */
function rootSchemaOf(info: ResourceInfo): SchemaNode {
  const properties = isRecord(info.schema.properties) ? info.schema.properties : {};
  const required = Array.isArray(info.schema.required) ? info.schema.required.filter((r) => typeof r === "string") : [];
  return {
    ...info.schema,
    properties: { ...properties, metadata: OBJECT_META_SCHEMA },
    required: [...new Set(["metadata", ...required])],
  };
}

function identityCauses(info: ResourceInfo, object: Record<string, unknown>): StatusCause[] {
  const causes: StatusCause[] = [];
  const apiVersion = `${info.group}/${info.version}`;
  for (const [field, expected] of [["apiVersion", apiVersion], ["kind", info.kind]] as const) {
    const actual = object[field];
    if (actual === undefined || actual === "") causes.push({ field, reason: "FieldValueRequired", message: `Required value: must be ${expected}` });
    else if (actual !== expected)
      causes.push({ field, reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(actual)}: must be ${expected}` });
  }
  return causes;
}

const dedupe = (causes: StatusCause[]): StatusCause[] => {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const key = `${c.field ?? ""}\u0000${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/** Compiles every kind of the registry up front, so that a bad schema fails at startup. */
export function createValidator(registry: ResourceRegistry): Validator {
  const ajv = createKubeAjv();
  const compiled = new WeakMap<ResourceInfo, CompiledKind>();
  const compile = (info: ResourceInfo): CompiledKind => {
    const known = compiled.get(info);
    if (known) return known;
    const schema = rootSchemaOf(info);
    let check: ValidateFunction;
    try {
      check = ajv.compile(schema);
    } catch (err) {
      throw new Error(`the openAPIV3Schema of ${info.plural}.${info.group} does not compile: ${(err as Error).message}`);
    }
    const kind = { schema, check };
    compiled.set(info, kind);
    return kind;
  };
  for (const info of registry.all()) compile(info);

  return {
    validate(info, object, { fieldValidation }) {
      if (!isRecord(object)) {
        const pruned = { apiVersion: `${info.group}/${info.version}`, kind: info.kind, metadata: { name: "" } };
        return { causes: [{ reason: "FieldValueTypeInvalid", message: `Invalid value: the body must be a ${info.kind} object` }], warnings: [], pruned };
      }
      const { schema, check } = compile(info);
      const { value, unknownFields } = pruneUnknownFields(schema, object);
      const pruned = value as Record<string, unknown>;
      if (isRecord(pruned.metadata)) delete pruned.metadata.namespace;
      check(pruned);
      const identity = identityCauses(info, object);
      const schemaCauses = causesFromAjv(check.errors ?? [], schema).filter((c) => c.field !== "apiVersion" && c.field !== "kind");
      const unknownCauses: StatusCause[] =
        fieldValidation === "Strict" ? unknownFields.map((field) => ({ field, reason: "FieldValueUnknown", message: `unknown field "${field}"` })) : [];
      return {
        causes: dedupe([...identity, ...unknownCauses, ...schemaCauses, ...metadataCauses(pruned.metadata)]),
        warnings: fieldValidation === "Warn" ? unknownFields.map((field) => `unknown field "${field}"`) : [],
        pruned: pruned as unknown as KubeObject,
      };
    },
  };
}
