// The wire shapes of Kubernetes' self reviews (authorization.k8s.io/v1 SelfSubjectAccessReview,
// authentication.k8s.io/v1 SelfSubjectReview), and their strict parsing: apiVersion and kind checked, no
// field claw does not know, every field of its type. 400 names the field and what was wrong.

import { badRequest } from "../machinery/errors.js";
import type { ResourceAttributes } from "./kube-access-mapping.js";

export const AUTHORIZATION_GROUP = "authorization.k8s.io";
export const AUTHENTICATION_GROUP = "authentication.k8s.io";
export const AUTHORIZATION_API = `/apis/${AUTHORIZATION_GROUP}/v1`;
export const AUTHENTICATION_API = `/apis/${AUTHENTICATION_GROUP}/v1`;

/** The reviews are a few hundred bytes; anything near this is not one. */
export const MAX_REVIEW_BYTES = 16 * 1024;

export interface NonResourceAttributes {
  path: string;
  verb: string;
}

export type AccessQuestion = { kind: "resource"; attrs: ResourceAttributes & { namespace: string; version: string } } | { kind: "nonResource"; attrs: NonResourceAttributes };

export interface AccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function checkFields(value: Json, path: string, known: readonly string[]): void {
  const unknown = Object.keys(value).find((k) => !known.includes(k));
  if (unknown !== undefined) throw badRequest(`${path}${path ? "." : ""}${unknown}: unknown field; known fields are ${known.join(", ")}`);
}

function objectAt(value: unknown, path: string, required: boolean): Json | undefined {
  if (value === undefined || value === null) {
    if (required) throw badRequest(`${path}: Required value`);
    return undefined;
  }
  if (!isObject(value)) throw badRequest(`${path}: must be an object`);
  return value;
}

function stringAt(value: Json, field: string, path: string, opts: { required?: boolean } = {}): string {
  const v = value[field];
  if (v === undefined || v === null || v === "") {
    if (opts.required) throw badRequest(`${path}.${field}: Required value`);
    return "";
  }
  if (typeof v !== "string") throw badRequest(`${path}.${field}: must be a string`);
  return v;
}

/** apiVersion and kind exactly, and only the top-level fields a review has. */
function checkEnvelope(body: Json, apiVersion: string, kind: string, fields: readonly string[]): void {
  if (body.apiVersion !== apiVersion || body.kind !== kind)
    throw badRequest(`the body must be a ${kind} of ${apiVersion} (it has apiVersion ${JSON.stringify(body.apiVersion ?? null)}, kind ${JSON.stringify(body.kind ?? null)})`);
  checkFields(body, "", ["apiVersion", "kind", "metadata", ...fields]);
  objectAt(body.metadata, "metadata", false);
}

const RESOURCE_FIELDS = ["namespace", "verb", "group", "version", "resource", "subresource", "name", "fieldSelector", "labelSelector"] as const;

/** The question of a SelfSubjectAccessReview: exactly one of resourceAttributes and nonResourceAttributes. */
export function parseAccessReview(body: Json): AccessQuestion {
  checkEnvelope(body, `${AUTHORIZATION_GROUP}/v1`, "SelfSubjectAccessReview", ["spec", "status"]);
  const spec = objectAt(body.spec, "spec", true)!;
  checkFields(spec, "spec", ["resourceAttributes", "nonResourceAttributes"]);
  const resource = objectAt(spec.resourceAttributes, "spec.resourceAttributes", false);
  const nonResource = objectAt(spec.nonResourceAttributes, "spec.nonResourceAttributes", false);
  if ((resource === undefined) === (nonResource === undefined)) throw badRequest("spec: exactly one of resourceAttributes or nonResourceAttributes must be given");
  if (nonResource) {
    const path = "spec.nonResourceAttributes";
    checkFields(nonResource, path, ["path", "verb"]);
    return { kind: "nonResource", attrs: { path: stringAt(nonResource, "path", path, { required: true }), verb: stringAt(nonResource, "verb", path, { required: true }) } };
  }
  const path = "spec.resourceAttributes";
  checkFields(resource!, path, RESOURCE_FIELDS);
  for (const selector of ["fieldSelector", "labelSelector"] as const) objectAt(resource![selector], `${path}.${selector}`, false);
  const field = (name: (typeof RESOURCE_FIELDS)[number], required = false) => stringAt(resource!, name, path, { required });
  return {
    kind: "resource",
    attrs: {
      namespace: field("namespace"),
      verb: field("verb", true),
      group: field("group"),
      version: field("version"),
      resource: field("resource", true),
      subresource: field("subresource"),
      name: field("name"),
    },
  };
}

/** A SelfSubjectRulesReview asks only for a namespace, which claw ignores (every kind is cluster-scoped). */
export function parseRulesReview(body: Json): void {
  checkEnvelope(body, `${AUTHORIZATION_GROUP}/v1`, "SelfSubjectRulesReview", ["spec", "status"]);
  const spec = objectAt(body.spec, "spec", false);
  if (spec) {
    checkFields(spec, "spec", ["namespace"]);
    stringAt(spec, "namespace", "spec");
  }
}

/** A SelfSubjectReview asks nothing: only its envelope (and an empty status kubectl sends) is checked. */
export function parseSelfReview(body: Json): void {
  checkEnvelope(body, `${AUTHENTICATION_GROUP}/v1`, "SelfSubjectReview", ["status"]);
  objectAt(body.status, "status", false);
}

/** The spec echoed back, as kube-apiserver does. */
export function specOf(question: AccessQuestion): Json {
  if (question.kind === "nonResource") return { nonResourceAttributes: { ...question.attrs } };
  const attrs: Json = {};
  for (const [k, v] of Object.entries(question.attrs)) if (v !== "") attrs[k] = v;
  return { resourceAttributes: attrs };
}
