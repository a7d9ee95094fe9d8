// What a request asks to do, in RBAC terms: a pure function of method, path and query.
//   Kubernetes verb → action: get→read, list and watch→list, create→create, update and patch→update,
//   delete→delete. Plural → resource: the seven kinds by their plural. Discovery and OpenAPI need only
//   authentication; /metrics, other API groups (leases) and anything unknown need `*:admin` (admins only).

import { GROUP, VERSION } from "../machinery/meta.js";
import type { Action, Resource } from "../rbac/permissions.js";

export type RequestAttributes =
  | { kind: "authenticated"; what: string }
  | {
      kind: "permission";
      resource: Resource | "*";
      action: Action;
      /** For the 403 message: `roles`, `roles/status`, `leases.coordination.clawbernetes.com`, `/metrics`. */
      what: string;
      /** The object named, for resource requests. */
      name?: string;
      /** A server-side apply may create: the authorizer also asks for create when the object is missing. */
      mayCreate?: { plural: string; name: string };
    };

/** The plurals of security.clawbernetes.com and the RBAC resource each one is; the names agree. */
const KIND_RESOURCES: ReadonlyMap<string, Resource> = new Map(
  (["roles", "users", "apikeys", "secrets", "secretpolicies", "blockrules", "certificates"] as const).map((p) => [p, p]),
);

const APPLY_PATCH = "application/apply-patch+yaml";

function isDiscovery(parts: readonly string[]): boolean {
  if (parts[0] === "api") return parts.length <= 2;
  if (parts[0] === "apis") return parts.length <= 3;
  return parts[0] === "openapi";
}

const adminOnly = (what: string): RequestAttributes => ({ kind: "permission", resource: "*", action: "admin", what });

export function requestAttributes(req: { method: string; path: string; contentType?: string }): RequestAttributes {
  const parts = req.path.split("/").filter(Boolean).map(safeDecode);
  if (parts.length === 0) return adminOnly("/");
  if (isDiscovery(parts)) return { kind: "authenticated", what: req.path };
  const [root, group, version, plural, name, sub, ...rest] = parts;
  if (root !== "apis" || !plural || rest.length > 0) return adminOnly(req.path);
  const resource = group === GROUP && version === VERSION ? KIND_RESOURCES.get(plural) : undefined;
  const what = `${group === GROUP ? plural : `${plural}.${group ?? ""}`}${sub ? `/${sub}` : ""}`;
  const action = actionOf(req.method, name !== undefined);
  if (!resource) return adminOnly(what);
  const mayCreate = req.method === "PATCH" && name !== undefined && sub === undefined && (req.contentType ?? "").split(";")[0]!.trim().toLowerCase() === APPLY_PATCH;
  return { kind: "permission", resource, action, what, ...(name !== undefined ? { name } : {}), ...(mayCreate ? { mayCreate: { plural, name } } : {}) };
}

function actionOf(method: string, named: boolean): Action {
  switch (method) {
    case "GET":
    case "HEAD":
      // list and watch (?watch=true) are both `list`.
      return named ? "read" : "list";
    case "POST":
      return "create";
    case "PUT":
    case "PATCH":
      return "update";
    case "DELETE":
      return "delete";
    default:
      // An unknown method is refused by the handler; fail closed until then.
      return "admin";
  }
}

function safeDecode(part: string): string {
  if (!part.includes("%")) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
