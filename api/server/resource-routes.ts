// The route table's entries for every kind in the registry: list/watch, create, get, update, patch and
// delete, and the status subresource, each with the permission it needs. The RBAC resource of a claw
// kind is its plural; a kind outside the permission grammar (leases) needs `*:admin`. Writing status
// needs `{resource}:admin`: status holds what controllers decide, and only they and admins may set it.

import { GROUP } from "../machinery/meta.js";
import { isResource, type Action, type Resource } from "../rbac/permissions.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { queryBool } from "./query-params.js";
import type { RequestContext } from "./request-context.js";
import { handleResource, type ResourceHandlerDeps } from "./resource-handlers.js";
import type { Route, RouteAccess } from "./route-table.js";

/** The permission resource of a kind, or undefined when the grammar has none (admins only). */
export const rbacResourceOf = (info: ResourceInfo): Resource | undefined => (info.group === GROUP && isResource(info.plural) ? info.plural : undefined);

function access(info: ResourceInfo, action: Action): RouteAccess {
  const resource = rbacResourceOf(info);
  return resource ? { kind: "permission", resource, action } : { kind: "permission", resource: "*", action: "admin" };
}

export function resourceRoutes(registry: readonly ResourceInfo[], deps: () => ResourceHandlerDeps): Route[] {
  const routes: Route[] = [];
  for (const info of registry) {
    const base = `/apis/${info.group}/${info.version}/${info.plural}`;
    const target = { group: info.group, version: info.version, resource: info.plural, isResourceRequest: true };
    const statusTarget = { ...target, subresource: "status" };
    const serve = (subresource?: "status") => (ctx: RequestContext) => handleResource(ctx, deps(), { info, ...(ctx.info.name !== undefined ? { name: ctx.info.name } : {}), subresource });
    const id = info.group === GROUP ? info.plural : `${info.plural}.${info.group}`;
    routes.push(
      { id: `${id}.list`, method: "GET", path: base, verb: (q) => (queryBool(q.get("watch")) ? "watch" : "list"), target, access: access(info, "list"), cost: "list", handler: serve() },
      { id: `${id}.create`, method: "POST", path: base, verb: "create", target, access: access(info, "create"), cost: "write", handler: serve() },
      { id: `${id}.get`, method: "GET", path: `${base}/{name}`, verb: "get", target, access: access(info, "read"), cost: "read", handler: serve() },
      { id: `${id}.update`, method: "PUT", path: `${base}/{name}`, verb: "update", target, access: access(info, "update"), cost: "write", handler: serve() },
      { id: `${id}.patch`, method: "PATCH", path: `${base}/{name}`, verb: "patch", target, access: access(info, "update"), cost: "write", handler: serve() },
      { id: `${id}.delete`, method: "DELETE", path: `${base}/{name}`, verb: "delete", target, access: access(info, "delete"), cost: "write", handler: serve() },
    );
    if (!info.hasStatusSubresource) continue;
    routes.push(
      { id: `${id}.status.get`, method: "GET", path: `${base}/{name}/status`, verb: "get", target: statusTarget, access: access(info, "read"), cost: "read", handler: serve("status") },
      { id: `${id}.status.update`, method: "PUT", path: `${base}/{name}/status`, verb: "update", target: statusTarget, access: access(info, "admin"), cost: "write", handler: serve("status") },
      { id: `${id}.status.patch`, method: "PATCH", path: `${base}/{name}/status`, verb: "patch", target: statusTarget, access: access(info, "admin"), cost: "write", handler: serve("status") },
    );
  }
  return routes;
}
