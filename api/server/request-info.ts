// RequestInfo, decided once per request from its method, path and the route table, before anyone
// authenticates it (as kube-apiserver's RequestInfoResolver does). The guard, the authorizer, handlers,
// metrics and the audit log all read it; nothing parses the path again.

import { badRequest } from "../machinery/errors.js";
import type { RequestInfo } from "./request-context.js";
import type { RouteMatch, RouteTable } from "./route-table.js";

export type { RequestInfo };

/** The path's segments, percent-decoded; 400 for a malformed escape. */
export function pathSegments(path: string): string[] {
  const trimmed = path.replace(/\/+$/, "") || "/";
  try {
    return trimmed === "/" ? [] : trimmed.split("/").slice(1).map(decodeURIComponent);
  } catch {
    throw badRequest(`the request path ${JSON.stringify(path)} has a malformed percent-escape`);
  }
}

export function resolveRequestInfo(table: RouteTable, req: { method: string; url: URL }): RequestInfo {
  const path = req.url.pathname.replace(/\/+$/, "") || "/";
  const segments = pathSegments(path);
  const match: RouteMatch = table.match(req.method, segments);
  const fallbackVerb = req.method.toLowerCase() as RequestInfo["verb"];
  if (match.kind !== "found") {
    return { verb: fallbackVerb, isResourceRequest: false, path, params: {}, ...(match.kind === "method" ? { allowedMethods: match.allowed } : {}) };
  }
  const { route, params } = match;
  const target = route.target ?? {};
  const verb = typeof route.verb === "function" ? route.verb(req.url.searchParams) : route.verb;
  return {
    verb,
    isResourceRequest: target.isResourceRequest ?? false,
    path,
    ...(target.group !== undefined ? { group: target.group } : {}),
    ...(target.version !== undefined ? { version: target.version } : {}),
    ...(target.resource !== undefined ? { resource: target.resource } : {}),
    ...(params.name !== undefined ? { name: params.name } : {}),
    ...(target.subresource !== undefined ? { subresource: target.subresource } : {}),
    route,
    params,
  };
}
