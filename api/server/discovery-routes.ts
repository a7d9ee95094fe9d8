// Discovery (/api, /apis, /apis/{group}[/{version}]) and OpenAPI (/openapi/v2, /openapi/v3[/…]) as
// route-table entries: any authenticated caller may read them, as in Kubernetes.

import type { ServerResponse } from "node:http";
import { pathNotFound } from "../machinery/errors.js";
import type { ResourceRegistry } from "../schema/resource-info.js";
import { answerDiscovery } from "./discovery.js";
import type { HttpAnswer } from "./http-answer.js";
import { answerOpenApi, buildOpenApi } from "./openapi.js";
import type { RequestContext } from "./request-context.js";
import type { Route } from "./route-table.js";

export function discoveryRoutes(registry: ResourceRegistry): Route[] {
  const resources = registry.all();
  const docs = buildOpenApi(resources);
  const discovery = (ctx: RequestContext) => {
    const answer = answerDiscovery({ resources, path: ctx.info.path, accept: ctx.req.headers.accept, ifNoneMatch: ctx.req.headers["if-none-match"] });
    if (!answer) throw pathNotFound(ctx.info.path);
    send(ctx.res, answer);
  };
  const openapi = (ctx: RequestContext) => {
    const answer = answerOpenApi({ docs, path: ctx.info.path, query: ctx.url.searchParams, accept: ctx.req.headers.accept, ifNoneMatch: ctx.req.headers["if-none-match"] });
    if (!answer) throw pathNotFound(ctx.info.path);
    send(ctx.res, answer);
  };
  const route = (id: string, path: string, handler: (ctx: RequestContext) => void): Route => ({ id, method: "GET", path, verb: "get", access: { kind: "authenticated" }, cost: "read", handler });
  const routes: Route[] = [route("discovery.api", "/api", discovery), route("discovery.apis", "/apis", discovery), route("openapi.v2", "/openapi/v2", openapi), route("openapi.v3", "/openapi/v3", openapi)];
  const groups = new Set<string>();
  for (const info of resources) {
    if (!groups.has(info.group)) {
      groups.add(info.group);
      routes.push(route(`discovery.${info.group}`, `/apis/${info.group}`, discovery));
    }
    const gv = `${info.group}/${info.version}`;
    if (!routes.some((r) => r.id === `discovery.${gv}`)) {
      routes.push(route(`discovery.${gv}`, `/apis/${gv}`, discovery));
      routes.push(route(`openapi.v3.${gv}`, `/openapi/v3/apis/${gv}`, openapi));
    }
  }
  return routes;
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  const headers = answer.body !== undefined ? { ...answer.headers, "Content-Length": String(Buffer.byteLength(answer.body)) } : answer.headers;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}
