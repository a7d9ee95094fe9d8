// Swagger 2.0 (/openapi/v2, JSON) derived from the OpenAPI v3 documents, for tools that still read v2.
// client-go asks /openapi/v2 for protobuf only; the server answers that with 406 (see openapi.ts), and kubectl
// 1.32 never needs v2 for our kinds because the v3 PATCH operations advertise fieldValidation.

import type { Schema } from "./openapi-meta-schemas.js";

const V3_REF = "#/components/schemas/";
const V2_REF = "#/definitions/";

/** Merges several v3 group-version documents into one Swagger 2.0 document. */
export function openApiV2Document(v3Documents: readonly Schema[], opts: { title?: string; version?: string } = {}): Schema {
  const definitions: Record<string, Schema> = {};
  const paths: Record<string, Schema> = {};
  for (const doc of v3Documents) {
    const schemas = recordAt(recordAt(doc, "components"), "schemas");
    for (const [name, schema] of Object.entries(schemas)) definitions[name] = toV2Schema(schema) as Schema;
    for (const [path, item] of Object.entries(recordAt(doc, "paths"))) paths[path] = toV2PathItem(asRecord(item));
  }
  return {
    swagger: "2.0",
    info: { title: opts.title ?? "Clawbernetes", version: opts.version ?? "v1" },
    paths: sortKeys(paths),
    definitions: sortKeys(definitions),
    securityDefinitions: { BearerToken: { type: "apiKey", description: "A JWT or an API key, sent as Authorization: Bearer <token>.", name: "authorization", in: "header" } },
    security: [{ BearerToken: [] }],
  };
}

const METHODS = ["get", "put", "post", "delete", "patch"] as const;

function toV2PathItem(item: Record<string, unknown>): Schema {
  const out: Schema = {};
  for (const method of METHODS) {
    const op = item[method];
    if (op !== undefined) out[method] = toV2Operation(asRecord(op));
  }
  if (Array.isArray(item.parameters)) out.parameters = item.parameters.map((p) => toV2Parameter(asRecord(p)));
  return out;
}

function toV2Operation(op: Record<string, unknown>): Schema {
  const { requestBody, responses, parameters, ...rest } = op;
  const params = Array.isArray(parameters) ? parameters.map((p) => toV2Parameter(asRecord(p))) : [];
  let consumes: string[] = [];
  if (requestBody !== undefined) {
    const body = asRecord(requestBody);
    const content = asRecord(body.content);
    consumes = Object.keys(content);
    const first = asRecord(Object.values(content)[0]);
    params.unshift({ name: "body", in: "body", required: body.required === true, schema: toV2Schema(first.schema ?? {}) });
  }
  const produces = new Set<string>();
  const v2Responses: Schema = {};
  for (const [code, response] of Object.entries(asRecord(responses))) {
    const r = asRecord(response);
    const content = asRecord(r.content);
    Object.keys(content).forEach((t) => produces.add(t));
    const schema = asRecord(Object.values(content)[0]).schema;
    v2Responses[code] = { description: r.description ?? "", ...(schema !== undefined ? { schema: toV2Schema(schema) } : {}) };
  }
  return {
    ...rest,
    ...(consumes.length ? { consumes } : {}),
    ...(produces.size ? { produces: [...produces] } : {}),
    schemes: ["https"],
    parameters: params,
    responses: v2Responses,
  };
}

function toV2Parameter(p: Record<string, unknown>): Schema {
  const { schema, ...rest } = p;
  return { ...rest, ...asRecord(schema) };
}

/** v3 → v2 schema: refs point at definitions; nullable becomes x-nullable; anyOf/oneOf/not (absent in v2) are dropped. */
export function toV2Schema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toV2Schema);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "anyOf" || key === "oneOf" || key === "not") continue;
    if (key === "nullable") {
      if (value === true) out["x-nullable"] = true;
      continue;
    }
    if (key === "$ref" && typeof value === "string") {
      out.$ref = value.startsWith(V3_REF) ? V2_REF + value.slice(V3_REF.length) : value;
      continue;
    }
    if (SCHEMA_MAPS.has(key)) out[key] = Object.fromEntries(Object.entries(asRecord(value)).map(([k, v]) => [k, toV2Schema(v)]));
    else if (DATA_KEYS.has(key) || key.startsWith("x-")) out[key] = value;
    else out[key] = toV2Schema(value);
  }
  return out;
}

// Keys whose value maps names to schemas, and keys whose value is data rather than a schema.
const SCHEMA_MAPS = new Set(["properties", "patternProperties"]);
const DATA_KEYS = new Set(["default", "enum", "example", "required"]);

const asRecord = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const recordAt = (v: unknown, key: string) => asRecord(asRecord(v)[key]);
const sortKeys = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
