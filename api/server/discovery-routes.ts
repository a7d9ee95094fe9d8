// Discovery (/api, /apis, /apis/{group}[/{version}]) and OpenAPI (/openapi/v2, /openapi/v3[/…]) as
// route-table entries: any authenticated caller may read them, as in Kubernetes. Beside the CRDs' groups,
// /apis lists the self-review groups the identity module serves (authorization.k8s.io, authentication.k8s.io),
// so kubectl finds `auth can-i` and `auth whoami`; the server cannot import a module, so they are named here.

import type { ServerResponse } from "node:http";
import { pathNotFound } from "../machinery/errors.js";
import type { ResourceRegistry } from "../schema/resource-info.js";
import { aggregatedDiscovery, answerDiscovery, apiGroupList, negotiateDiscovery, type APIGroup, type APIGroupDiscovery, type APIResource } from "./discovery.js";
import { answerWithEtag, type HttpAnswer } from "./http-answer.js";
import { answerOpenApi, buildOpenApi } from "./openapi.js";
import type { RequestContext } from "./request-context.js";
import type { Route } from "./route-table.js";

export function discoveryRoutes(registry: ResourceRegistry): Route[] {
  const resources = registry.all();
  const docs = buildOpenApi(resources);
  const discovery = (ctx: RequestContext) => {
    const answer = answerApis({ resources, path: ctx.info.path, accept: ctx.req.headers.accept, ifNoneMatch: ctx.req.headers["if-none-match"] }) ?? answerDiscovery({ resources, path: ctx.info.path, accept: ctx.req.headers.accept, ifNoneMatch: ctx.req.headers["if-none-match"] });
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
  for (const review of REVIEW_GROUPS) {
    const answer = (body: unknown) => (ctx: RequestContext) => send(ctx.res, answerWithEtag({ body: JSON.stringify(body), contentType: "application/json", ifNoneMatch: ctx.req.headers["if-none-match"], headers: { Vary: "Accept" } }));
    routes.push(route(`discovery.${review.group}`, `/apis/${review.group}`, answer({ kind: "APIGroup", apiVersion: "v1", ...groupEntry(review) })));
    routes.push(route(`discovery.${review.group}/v1`, `/apis/${review.group}/v1`, answer(resourceList(review))));
  }
  return routes;
}

/** A group of kinds that are only ever created (reviews): one version, cluster-scoped, verb create. */
interface ReviewGroup {
  group: string;
  resources: { name: string; singularName: string; kind: string }[];
}

export const REVIEW_GROUPS: readonly ReviewGroup[] = [
  {
    group: "authorization.k8s.io",
    resources: [
      { name: "selfsubjectaccessreviews", singularName: "selfsubjectaccessreview", kind: "SelfSubjectAccessReview" },
      { name: "selfsubjectrulesreviews", singularName: "selfsubjectrulesreview", kind: "SelfSubjectRulesReview" },
    ],
  },
  { group: "authentication.k8s.io", resources: [{ name: "selfsubjectreviews", singularName: "selfsubjectreview", kind: "SelfSubjectReview" }] },
];

const groupEntry = (review: ReviewGroup): Omit<APIGroup, "kind" | "apiVersion"> => {
  const v1 = { groupVersion: `${review.group}/v1`, version: "v1" };
  return { name: review.group, versions: [v1], preferredVersion: v1 };
};

const resourceList = (review: ReviewGroup): { kind: "APIResourceList"; apiVersion: "v1"; groupVersion: string; resources: APIResource[] } => ({
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion: `${review.group}/v1`,
  resources: review.resources.map((r) => ({ ...r, namespaced: false, verbs: ["create"] })),
});

const aggregatedGroup = (review: ReviewGroup): APIGroupDiscovery => ({
  metadata: { name: review.group },
  versions: [
    {
      version: "v1",
      resources: review.resources.map((r) => ({ resource: r.name, responseKind: { group: review.group, version: "v1", kind: r.kind }, scope: "Cluster", singularResource: r.singularName, verbs: ["create"] })),
      freshness: "Current",
    },
  ],
});

/** `/apis` with the review groups after the CRDs' groups; undefined for any other path or no acceptable format (answerDiscovery answers). */
function answerApis(opts: { resources: Parameters<typeof apiGroupList>[0]; path: string; accept: string | undefined; ifNoneMatch: string | undefined }): HttpAnswer | undefined {
  if (opts.path !== "/apis") return undefined;
  const choice = negotiateDiscovery(opts.accept);
  if (!choice) return undefined;
  const headers = { Vary: "Accept" };
  if (choice.format === "aggregated") {
    const doc = aggregatedDiscovery(opts.resources, { apiVersion: choice.apiVersion });
    const body = { ...doc, items: [...doc.items, ...REVIEW_GROUPS.map(aggregatedGroup)] };
    return answerWithEtag({ body: JSON.stringify(body), contentType: choice.contentType, ifNoneMatch: opts.ifNoneMatch, headers });
  }
  const list = apiGroupList(opts.resources);
  const body = { ...list, groups: [...list.groups, ...REVIEW_GROUPS.map(groupEntry)] };
  return answerWithEtag({ body: JSON.stringify(body), contentType: "application/json", ifNoneMatch: opts.ifNoneMatch, headers });
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  const headers = answer.body !== undefined ? { ...answer.headers, "Content-Length": String(Buffer.byteLength(answer.body)) } : answer.headers;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}
