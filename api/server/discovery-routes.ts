// Mounts discovery (/api, /apis, /apis/{group}[/{version}]) and OpenAPI (/openapi/v2, /openapi/v3[/…]) on the server.

import type { ServerResponse } from "node:http";
import type { ResourceRegistry } from "../schema/resource-info.js";
import type { Route, VersionInfo } from "./api-server.js";
import { answerDiscovery } from "./discovery.js";
import type { HttpAnswer } from "./http-answer.js";
import { answerOpenApi, buildOpenApi } from "./openapi.js";

export function discoveryRoutes(registry: ResourceRegistry, _version: VersionInfo): Map<string, Route> {
  const resources = registry.all();
  const docs = buildOpenApi(resources);
  const routes = new Map<string, Route>();
  const discovery: Route = (ctx) => {
    ctx.verb = "get";
    const answer = answerDiscovery({ resources, path: ctx.url.pathname, accept: ctx.req.headers.accept, ifNoneMatch: ctx.req.headers["if-none-match"] });
    return answer ? send(ctx.res, answer) : false;
  };
  const openapi: Route = (ctx) => {
    ctx.verb = "get";
    const answer = answerOpenApi({ docs, path: ctx.url.pathname, query: ctx.url.searchParams, accept: ctx.req.headers.accept, ifNoneMatch: ctx.req.headers["if-none-match"] });
    return answer ? send(ctx.res, answer) : false;
  };
  routes.set("/api", discovery);
  routes.set("/apis", discovery);
  for (const info of resources) {
    routes.set(`/apis/${info.group}`, discovery);
    routes.set(`/apis/${info.group}/${info.version}`, discovery);
    routes.set(`/openapi/v3/apis/${info.group}/${info.version}`, openapi);
  }
  routes.set("/openapi/v2", openapi);
  routes.set("/openapi/v3", openapi);
  return routes;
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  const headers = answer.body !== undefined ? { ...answer.headers, "Content-Length": String(Buffer.byteLength(answer.body)) } : answer.headers;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}
