// How a Kubernetes SelfSubjectAccessReview's attributes become something claw can judge. A resource in one of
// claw's API groups becomes the request kubectl would send for it (method and path), judged against the route
// table exactly as that request would be; an empty group names the permission grammar's own resources
// (workloads, metrics, …) and maps the verb onto an action. Pure: no I/O, no caller.

import { ACTIONS, isAction, isResource, RESOURCES, WILDCARD, type Action, type Resource } from "../rbac/permissions.js";
import type { HttpMethod } from "../server/route-table.js";

/** spec.resourceAttributes as kubectl sends them (namespace is ignored: every claw kind is cluster-scoped). */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  name: string;
}

/** One HTTP request a resource attribute stands for. */
export interface KubeRequest {
  verb: string;
  method: HttpMethod;
  /** Path and query, as kubectl would send them. */
  url: string;
}

/** The Kubernetes verbs claw serves on a resource, in the order `*` checks them. */
export const SERVED_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"] as const;

/** A claw action that is no Kubernetes verb (read, execute, write, admin): judged by the grammar in security.clawbernetes.com. */
export const isClawActionVerb = (verb: string): boolean => isAction(verb) && !(SERVED_VERBS as readonly string[]).includes(verb);

/** Stands for "any name" in a path when the review names none: no object or user can be called this. */
export const ANY_NAME = "*";

/** Kubernetes verbs → claw actions, for the grammar's resources (empty group). */
export const VERB_ACTIONS: Readonly<Record<string, Action>> = {
  get: "read",
  list: "list",
  watch: "list",
  create: "create",
  update: "update",
  patch: "update",
  delete: "delete",
  deletecollection: "delete",
};

/**
 * The requests a verb stands for on a resource of a served group: `*` is every verb claw serves; a verb claw
 * has no route shape for (deletecollection, escalate, claw's own `execute`) has none.
 */
export function kubeRequests(attrs: ResourceAttributes, version: string): KubeRequest[] {
  if (!isPathSafe(attrs)) return [];
  const verbs = attrs.verb === WILDCARD ? [...SERVED_VERBS] : [attrs.verb];
  const base = `/apis/${attrs.group}/${version}/${attrs.resource}`;
  const named = `${base}/${encodeURIComponent(attrs.name || ANY_NAME)}${attrs.subresource ? `/${attrs.subresource}` : ""}`;
  const out: KubeRequest[] = [];
  for (const verb of verbs) {
    const shape = requestShape(verb, attrs.subresource !== "");
    if (shape) out.push({ verb, method: shape.method, url: shape.collection ? `${base}${shape.query ?? ""}` : named });
  }
  return out;
}

/** A resource, subresource or name is one path segment: no `/`, and not `.` or `..` (which a URL would fold away). */
export const isPathSafe = (attrs: Pick<ResourceAttributes, "resource" | "subresource" | "name">): boolean =>
  [attrs.resource, attrs.subresource, attrs.name].every((part) => !part.includes("/") && part !== "." && part !== "..");

function requestShape(verb: string, subresource: boolean): { method: HttpMethod; collection: boolean; query?: string } | undefined {
  switch (verb) {
    case "get":
      return { method: "GET", collection: false };
    case "list":
      return subresource ? undefined : { method: "GET", collection: true };
    case "watch":
      return subresource ? undefined : { method: "GET", collection: true, query: "?watch=true" };
    // A subresource is created on a named object (apikeys/x/secret); an object is created on the collection.
    case "create":
      return { method: "POST", collection: !subresource };
    case "update":
      return { method: "PUT", collection: false };
    case "patch":
      return { method: "PATCH", collection: false };
    case "delete":
      return subresource ? undefined : { method: "DELETE", collection: false };
    default:
      return undefined;
  }
}

/** A grammar permission, or why the attributes name none. */
export type GrammarMapping = { kind: "permission"; resource: Resource | "*"; action: Action } | { kind: "unmapped"; reason: string };

/**
 * The permission an empty-group attribute asks for: the resource is a grammar name (or `*`); the verb a
 * Kubernetes verb (get→read, list/watch→list, update/patch→update, …), one of claw's actions itself
 * (execute, write, admin, read), or `*` (every action, which `admin` stands for). Writing `status` needs admin.
 */
export function grammarPermission(attrs: Pick<ResourceAttributes, "verb" | "resource" | "subresource">): GrammarMapping {
  const { verb, resource, subresource } = attrs;
  if (resource !== WILDCARD && !isResource(resource))
    return { kind: "unmapped", reason: `claw has no resource "${resource}" without an API group; its resources are *, ${RESOURCES.join(", ")}` };
  const action: Action | undefined = verb === WILDCARD ? "admin" : (VERB_ACTIONS[verb] ?? (isAction(verb) ? verb : undefined));
  if (!action) return { kind: "unmapped", reason: `claw has no action for the verb "${verb}"; use a Kubernetes verb or one of *, ${ACTIONS.join(", ")}` };
  if (subresource === "") return { kind: "permission", resource, action };
  if (subresource !== "status") return { kind: "unmapped", reason: `claw's grammar has no subresource "${subresource}" without an API group; name the group (security.clawbernetes.com)` };
  return { kind: "permission", resource, action: action === "read" || action === "list" ? "read" : "admin" };
}

/** How a non-resource path's verb (get, post, …) becomes the method of the request it stands for. */
export function nonResourceMethod(verb: string): HttpMethod | undefined {
  const method = verb.toUpperCase();
  return (["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const).find((m) => m === method);
}
