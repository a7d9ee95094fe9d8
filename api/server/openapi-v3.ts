// The OpenAPI 3.0 document of one group version, shaped as kube-apiserver publishes CRDs: what `kubectl explain`
// reads and what kubectl's field-validation check looks for (a PATCH operation with our GVK and a fieldValidation
// parameter, so kubectl sends ?fieldValidation=Strict instead of validating against /openapi/v2).

import type { ResourceInfo } from "../schema/resource-info.js";
import {
  API_VERSION_DESCRIPTION,
  DELETE_OPTIONS,
  KIND_DESCRIPTION,
  LIST_META,
  metaSchemas,
  OBJECT_META,
  PATCH,
  refProperty,
  schemaRef,
  STATUS,
  type Schema,
} from "./openapi-meta-schemas.js";

/** The content types our PATCH accepts. No strategic merge patch: kubectl then computes a JSON merge patch. */
export const PATCH_CONTENT_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"] as const;

/** `security.clawbernetes.com` → `com.clawbernetes.security`, the prefix kube gives CRD schema names. */
export function reverseDomain(group: string): string {
  return group.split(".").reverse().join(".");
}

/** `com.clawbernetes.security.v1.Role`. */
export function schemaNameOf(info: Pick<ResourceInfo, "group" | "version">, kind: string): string {
  return `${reverseDomain(info.group)}.${info.version}.${kind}`;
}

const gvkOf = (info: ResourceInfo, kind = info.kind) => ({ group: info.group, kind, version: info.version });

/** The OpenAPI v3 document for one group version (all of `infos` must share it). */
export function openApiV3Document(infos: readonly ResourceInfo[]): Schema {
  const schemas: Record<string, Schema> = {};
  const paths: Record<string, Schema> = {};
  for (const info of infos) {
    schemas[schemaNameOf(info, info.kind)] = kindSchema(info);
    schemas[schemaNameOf(info, info.listKind)] = listSchema(info);
    Object.assign(paths, resourcePaths(info));
  }
  Object.assign(schemas, metaSchemas());
  return {
    openapi: "3.0.0",
    info: { title: "Clawbernetes", version: infos[0] ? `${infos[0].group}/${infos[0].version}` : "unversioned" },
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        BearerToken: { type: "apiKey", description: "A JWT or an API key, sent as Authorization: Bearer <token>.", name: "authorization", in: "header" },
      },
    },
  };
}

/** The CRD's openAPIV3Schema with typed apiVersion/kind/metadata and the GVK extension. */
export function kindSchema(info: ResourceInfo): Schema {
  const base = structuredClone(info.schema);
  const properties = isRecord(base.properties) ? { ...base.properties } : {};
  const described = (key: string, fallback: string) => {
    const existing = properties[key];
    return isRecord(existing) && typeof existing.description === "string" ? existing.description : fallback;
  };
  properties.apiVersion = { description: described("apiVersion", API_VERSION_DESCRIPTION), type: "string" };
  properties.kind = { description: described("kind", KIND_DESCRIPTION), type: "string" };
  properties.metadata = refProperty(OBJECT_META, described("metadata", "Standard object metadata."));
  return { ...base, type: "object", properties, "x-kubernetes-group-version-kind": [gvkOf(info)] };
}

export function listSchema(info: ResourceInfo): Schema {
  return {
    description: `${info.listKind} is a list of ${info.kind}.`,
    type: "object",
    required: ["items"],
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: "string" },
      items: { description: `The ${info.plural}.`, type: "array", items: schemaRef(schemaNameOf(info, info.kind)) },
      kind: { description: KIND_DESCRIPTION, type: "string" },
      metadata: refProperty(LIST_META, "Standard list metadata."),
    },
    "x-kubernetes-group-version-kind": [gvkOf(info, info.listKind)],
  };
}

function resourcePaths(info: ResourceInfo): Record<string, Schema> {
  const base = `/apis/${info.group}/${info.version}/${info.plural}`;
  const kindRef = schemaRef(schemaNameOf(info, info.kind));
  const op = operationFactory(info);
  const nameParam = { name: "name", in: "path", description: `The name of the ${info.kind}.`, required: true, schema: { type: "string", uniqueItems: true } };
  const paths: Record<string, Schema> = {
    [base]: {
      get: op({ verb: "list", action: "list", describe: `list objects of kind ${info.kind}`, params: LIST_PARAMS, responses: { 200: schemaRef(schemaNameOf(info, info.listKind)) }, watchable: true }),
      post: op({ verb: "create", action: "post", describe: `create a ${info.kind}`, params: WRITE_PARAMS, body: jsonBody(kindRef), responses: { 200: kindRef, 201: kindRef, 202: kindRef } }),
      parameters: [PRETTY],
    },
    [`${base}/{name}`]: {
      get: op({ verb: "read", action: "get", describe: `read the specified ${info.kind}`, params: [RESOURCE_VERSION], responses: { 200: kindRef } }),
      put: op({ verb: "replace", action: "put", describe: `replace the specified ${info.kind}`, params: WRITE_PARAMS, body: jsonBody(kindRef), responses: { 200: kindRef, 201: kindRef } }),
      patch: op({ verb: "patch", action: "patch", describe: `partially update the specified ${info.kind}`, params: PATCH_PARAMS, body: patchBody(), responses: { 200: kindRef, 201: kindRef } }),
      delete: op({ verb: "delete", action: "delete", describe: `delete a ${info.kind}`, params: DELETE_PARAMS, body: jsonBody(schemaRef(DELETE_OPTIONS), false), responses: { 200: schemaRef(STATUS), 202: schemaRef(STATUS) } }),
      parameters: [nameParam, PRETTY],
    },
  };
  if (info.hasStatusSubresource) {
    paths[`${base}/{name}/status`] = {
      get: op({ verb: "read", suffix: "Status", action: "get", describe: `read status of the specified ${info.kind}`, params: [RESOURCE_VERSION], responses: { 200: kindRef } }),
      put: op({ verb: "replace", suffix: "Status", action: "put", describe: `replace status of the specified ${info.kind}`, params: WRITE_PARAMS, body: jsonBody(kindRef), responses: { 200: kindRef, 201: kindRef } }),
      patch: op({ verb: "patch", suffix: "Status", action: "patch", describe: `partially update status of the specified ${info.kind}`, params: PATCH_PARAMS, body: patchBody(), responses: { 200: kindRef, 201: kindRef } }),
      parameters: [nameParam, PRETTY],
    };
  }
  return paths;
}

interface OperationSpec {
  verb: string;
  suffix?: string;
  action: "list" | "post" | "get" | "put" | "patch" | "delete";
  describe: string;
  params: Schema[];
  body?: Schema;
  responses: Record<number, Schema>;
  watchable?: boolean;
}

function operationFactory(info: ResourceInfo) {
  const tag = `${camel(info.group)}_${info.version}`;
  const idSuffix = `${pascal(info.group)}${pascal(info.version)}${info.kind}`;
  return (spec: OperationSpec): Schema => {
    const responses: Record<string, Schema> = {};
    for (const [code, schema] of Object.entries(spec.responses)) {
      const content: Record<string, Schema> = { "application/json": { schema } };
      if (spec.watchable) content["application/json;stream=watch"] = { schema };
      responses[code] = { description: RESPONSE_TEXT[Number(code)] ?? "OK", content };
    }
    responses["401"] = { description: "Unauthorized" };
    return {
      tags: [tag],
      description: spec.describe,
      operationId: `${spec.verb}${idSuffix}${spec.suffix ?? ""}`,
      parameters: spec.params,
      ...(spec.body ? { requestBody: spec.body } : {}),
      responses,
      "x-kubernetes-action": spec.action,
      "x-kubernetes-group-version-kind": gvkOf(info),
    };
  };
}

const RESPONSE_TEXT: Record<number, string> = { 200: "OK", 201: "Created", 202: "Accepted" };

const jsonBody = (schema: Schema, required = true): Schema => ({ content: { "application/json": { schema } }, ...(required ? { required: true } : {}) });
const patchBody = (): Schema => ({ content: Object.fromEntries(PATCH_CONTENT_TYPES.map((t) => [t, { schema: schemaRef(PATCH) }])), required: true });

const query = (name: string, description: string, type: "string" | "boolean" | "integer" = "string"): Schema => ({
  name,
  in: "query",
  description,
  schema: { type, uniqueItems: true },
});

const PRETTY = query("pretty", "If 'true', the output is pretty printed.");
const RESOURCE_VERSION = query("resourceVersion", "Read at this revision or later; see the Kubernetes API concepts on resource versions.");
const DRY_RUN = query("dryRun", "With All, the request is validated and admitted but not persisted.");
const FIELD_MANAGER = query("fieldManager", "The name of the actor making the change, recorded in managedFields.");
const FIELD_VALIDATION = query("fieldValidation", "What to do with unknown or duplicate fields: Ignore, Warn (default) or Strict (reject the request).");

const LIST_PARAMS = [
  query("allowWatchBookmarks", "With watch, ask for BOOKMARK events that carry the latest resourceVersion.", "boolean"),
  query("continue", "The continue token of the previous page."),
  query("fieldSelector", "Select by fields: metadata.name=x or metadata.name!=x, comma-joined."),
  query("labelSelector", "Select by labels: a=b, a!=b, a in (x,y), a notin (x), a, !a, comma-joined."),
  query("limit", "The most items to return; the rest is fetched with continue.", "integer"),
  RESOURCE_VERSION,
  query("resourceVersionMatch", "How resourceVersion applies to a list: NotOlderThan or Exact."),
  query("sendInitialEvents", "With watch, start with ADDED events for every existing object.", "boolean"),
  query("timeoutSeconds", "End a list or watch call after this many seconds.", "integer"),
  query("watch", "Stream ADDED, MODIFIED and DELETED events instead of returning a list.", "boolean"),
];
const WRITE_PARAMS = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
const PATCH_PARAMS = [...WRITE_PARAMS, query("force", "For server-side apply: take ownership of fields other managers own.", "boolean")];
const DELETE_PARAMS = [
  DRY_RUN,
  query("gracePeriodSeconds", "Accepted for compatibility.", "integer"),
  query("propagationPolicy", "Accepted for compatibility: Foreground, Background or Orphan."),
];

const pascal = (s: string) => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
const camel = (s: string) => {
  const p = pascal(s);
  return p.charAt(0).toLowerCase() + p.slice(1);
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
