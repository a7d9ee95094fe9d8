// An Ajv instance that understands Kubernetes structural schemas: the x-kubernetes-* extensions and the
// string formats CRDs use (K8s's `cidr` included). List-type checks report duplicates as Kubernetes does.

import { isIPv4, isIPv6 } from "node:net";
import { Ajv, type AnySchemaObject, type ErrorObject, type FuncKeywordDefinition } from "ajv";
import formatsModule from "ajv-formats";

const addFormats = formatsModule.default;
type DataValidateFunction = ReturnType<NonNullable<FuncKeywordDefinition["compile"]>>;

/** The ajv-formats formats claw's CRDs may use; any other format fails at compile time, loudly. */
const STANDARD_FORMATS = ["date-time", "date", "time", "email", "hostname", "ipv4", "ipv6", "uri", "uuid", "byte", "int32", "int64", "float", "double", "password"] as const;

export function isCidr(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (isIPv4(address)) return bits <= 32;
  return isIPv6(address) && bits <= 128;
}

/** Where an x-kubernetes-list-type check found a duplicate (the later of the two items). */
export interface ListDuplicateParams {
  index: number;
  listType: "set" | "map";
  keys?: string[];
}

function listTypeCheck(listType: unknown, parentSchema: AnySchemaObject): DataValidateFunction {
  const keys: string[] = Array.isArray(parentSchema["x-kubernetes-list-map-keys"]) ? parentSchema["x-kubernetes-list-map-keys"] : [];
  const identity = (item: unknown): string | undefined => {
    if (listType === "set") return JSON.stringify(item);
    if (listType !== "map" || typeof item !== "object" || item === null) return undefined;
    return JSON.stringify(keys.map((k) => (item as Record<string, unknown>)[k] ?? null));
  };
  const check: DataValidateFunction = (data: unknown) => {
    check.errors = [];
    if (!Array.isArray(data)) return true;
    const seen = new Set<string>();
    data.forEach((item, index) => {
      const id = identity(item);
      if (id === undefined) return;
      if (seen.has(id)) {
        const params: ListDuplicateParams = { index, listType: listType === "map" ? "map" : "set", ...(listType === "map" ? { keys } : {}) };
        check.errors?.push({ keyword: "x-kubernetes-list-type", params, message: "must not hold duplicate items" } satisfies Partial<ErrorObject>);
      }
      seen.add(id);
    });
    return check.errors.length === 0;
  };
  return check;
}

/** A fresh Ajv for compiling CRD schemas: every error (allErrors), defaults applied, unknown keywords refused. */
export function createKubeAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: true, strictTypes: false, strictRequired: false });
  addFormats(ajv, { mode: "full", formats: [...STANDARD_FORMATS] });
  ajv.addFormat("cidr", { type: "string", validate: isCidr });
  ajv.addKeyword({ keyword: "x-kubernetes-list-type", schemaType: "string", type: "array", errors: true, compile: listTypeCheck });
  ajv.addKeyword({ keyword: "x-kubernetes-list-map-keys", schemaType: "array" });
  ajv.addKeyword({ keyword: "x-kubernetes-preserve-unknown-fields", schemaType: "boolean" });
  ajv.addKeyword({ keyword: "x-kubernetes-map-type", schemaType: "string" });
  ajv.addKeyword({ keyword: "x-kubernetes-embedded-resource", schemaType: "boolean" });
  return ajv;
}
