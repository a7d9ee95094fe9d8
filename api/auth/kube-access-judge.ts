// Answers "may I?" for a SelfSubjectAccessReview exactly as the pipeline would answer the request itself: the
// request the attributes stand for is matched against a route table holding the same entries the server
// declares (resource routes, identity routes, discovery and the server's own), and the matched route's
// access goes through the pipeline's authorizeRoute with the same PermissionDecider. API key scopes,
// disabled users, system identities and route policies therefore count as they would for real.

import { GROUP } from "../machinery/meta.js";
import type { ResourceRegistry } from "../schema/resource-info.js";
import { isForbidden } from "../machinery/errors.js";
import type { UserInfo } from "../server/admission.js";
import { authorizeRoute, type PermissionDecider } from "../server/authorizer.js";
import { discoveryRoutes } from "../server/discovery-routes.js";
import type { Verb } from "../server/request-context.js";
import { resolveRequestInfo, type RequestInfo } from "../server/request-info.js";
import { resourceRoutes } from "../server/resource-routes.js";
import { RouteTable, type Route, type RouteAccess } from "../server/route-table.js";
import { WILDCARD } from "../rbac/permissions.js";
import { grammarPermission, isClawActionVerb, isPathSafe, kubeRequests, nonResourceMethod, type ResourceAttributes } from "./kube-access-mapping.js";
import type { AccessReviewStatus, NonResourceAttributes } from "./kube-review-bodies.js";

/**
 * The server's own non-resource routes (api-server.ts ownRoutes), which a module cannot reach: a test holds
 * these to the real table, so a change there fails it rather than drifting here.
 */
export const SERVER_OWN_ACCESS: readonly { id: string; path: string; access: RouteAccess }[] = [
  { id: "health.healthz", path: "/healthz", access: { kind: "public" } },
  { id: "health.livez", path: "/livez", access: { kind: "public" } },
  { id: "health.readyz", path: "/readyz", access: { kind: "public" } },
  { id: "version", path: "/version", access: { kind: "public" } },
  { id: "metrics", path: "/metrics", access: { kind: "permission", resource: "*", action: "admin" } },
];

const KUBE_VERBS: readonly Verb[] = ["get", "list", "watch", "create", "update", "patch", "delete"];
const isKubeVerb = (verb: string): verb is Verb => KUBE_VERBS.some((v) => v === verb);
const neverServes = (): never => {
  throw new Error("the access judge's table decides access; it never serves a request");
};

export class KubeAccessJudge {
  private readonly table: RouteTable;
  private readonly groups: Set<string>;

  constructor(private readonly opts: { registry: ResourceRegistry; decider: PermissionDecider; moduleRoutes: readonly Route[] }) {
    const own = SERVER_OWN_ACCESS.map((r): Route => ({ id: r.id, method: "GET", path: r.path, verb: "get", access: r.access, cost: "read", handler: neverServes }));
    this.table = new RouteTable([...own, ...discoveryRoutes(opts.registry), ...resourceRoutes(opts.registry.all(), neverServes), ...opts.moduleRoutes]);
    this.groups = new Set(this.table.all().flatMap((r) => (r.target?.group ? [r.target.group] : [])));
  }

  async resource(user: UserInfo, given: ResourceAttributes): Promise<AccessReviewStatus> {
    const attrs = withGroup(given);
    if (attrs.group === "") return this.grammar(user, attrs);
    if (!this.groups.has(attrs.group)) return deny(`claw serves no API group "${attrs.group}"; its groups are ${[...this.groups].sort().join(", ")}, or no group for the permission grammar's resources`);
    const plurals = attrs.resource === WILDCARD ? this.pluralsOf(attrs.group) : [attrs.resource];
    if (plurals.length === 0) return deny(`claw judges "*" only in groups of its own kinds; name the resource in ${attrs.group}`);
    let last: AccessReviewStatus = deny("nothing to judge");
    for (const resource of plurals) {
      last = await this.routed(user, { ...attrs, resource });
      if (!last.allowed) return last;
    }
    return last;
  }

  async nonResource(user: UserInfo, attrs: NonResourceAttributes): Promise<AccessReviewStatus> {
    if (!attrs.path.startsWith("/") || attrs.path.includes("*")) return deny(`claw judges exact paths only (such as /metrics), not ${JSON.stringify(attrs.path)}`);
    const method = nonResourceMethod(attrs.verb);
    if (!method) return deny(`a non-resource verb is an HTTP method in lower case (get, post, …), not "${attrs.verb}"`);
    const info = resolveRequestInfo(this.table, { method, url: new URL(`http://claw.invalid${attrs.path}`) });
    if (!info.route) return deny(`claw serves no ${method} ${info.path}`);
    return this.judge(user, info.route.access, info);
  }

  /** Every GET path without captures that is no resource request and that the caller may call: --list's non-resource rules. */
  async allowedPaths(user: UserInfo): Promise<string[]> {
    const out: string[] = [];
    for (const route of this.table.all()) {
      if (route.method !== "GET" || route.target?.isResourceRequest || route.path.includes("{")) continue;
      const info = resolveRequestInfo(this.table, { method: "GET", url: new URL(route.path, "http://claw.invalid") });
      if (info.route && (await this.judge(user, info.route.access, info)).allowed) out.push(route.path);
    }
    return out.sort();
  }

  /** The request the attributes stand for, through the table; a claw action as the verb falls back to the grammar. */
  private async routed(user: UserInfo, attrs: ResourceAttributes): Promise<AccessReviewStatus> {
    if (!isPathSafe(attrs)) return deny("a resource, subresource or name is one path segment: no \"/\", and not \".\" or \"..\"");
    const version = this.opts.registry.all().find((i) => i.group === attrs.group && i.plural === attrs.resource)?.version ?? "v1";
    const requests = kubeRequests(attrs, version);
    if (requests.length === 0) {
      if (attrs.group === GROUP && isClawActionVerb(attrs.verb)) return this.grammar(user, attrs);
      return deny(`claw serves no "${attrs.verb}" on ${targetOf(attrs)}`);
    }
    let last: AccessReviewStatus = deny("nothing to judge");
    let matched = 0;
    for (const request of requests) {
      const info = resolveRequestInfo(this.table, { method: request.method, url: new URL(request.url, "http://claw.invalid") });
      if (!info.route) {
        // `*` asks about every verb claw serves on the resource; a verb it has no route for is not one of them.
        if (attrs.verb === WILDCARD) continue;
        return deny(`claw serves no ${request.verb} on ${targetOf(attrs)}`);
      }
      matched++;
      last = await this.judge(user, info.route.access, info);
      if (!last.allowed) return last;
    }
    return matched > 0 ? last : deny(`claw serves nothing on ${targetOf(attrs)}`);
  }

  /** The permission grammar's own names (empty group): `resource:action` straight to the decider. */
  private async grammar(user: UserInfo, attrs: ResourceAttributes): Promise<AccessReviewStatus> {
    const mapped = grammarPermission(attrs);
    if (mapped.kind === "unmapped") return deny(mapped.reason);
    // A system identity's rules name Kubernetes verbs; a claw action it was never given is outside them.
    if (user.system && !isKubeVerb(attrs.verb)) return deny("outside the rules of this system identity");
    const info: RequestInfo = {
      verb: isKubeVerb(attrs.verb) ? attrs.verb : "get",
      isResourceRequest: true,
      path: "",
      resource: attrs.resource,
      ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
      ...(attrs.name ? { name: attrs.name } : {}),
      params: {},
    };
    return this.judge(user, { kind: "permission", resource: mapped.resource, action: mapped.action }, info);
  }

  /** The pipeline's authorizer, with its refusal turned into a review's answer. */
  private async judge(user: UserInfo, access: RouteAccess, info: RequestInfo): Promise<AccessReviewStatus> {
    try {
      const { grant } = await authorizeRoute({ access, info, user, decider: this.opts.decider });
      if (access.kind !== "permission") return { allowed: true, reason: access.kind === "public" ? "anyone may" : "any authenticated caller may" };
      if (grant) return { allowed: true, reason: `allowed by the route's policy ${grant}` };
      if (user.system) return { allowed: true, reason: "within the rules of this system identity" };
      return { allowed: true, reason: (await this.opts.decider.decide(user, access.resource, access.action)).reason };
    } catch (err) {
      if (isForbidden(err)) return deny((err as Error).message);
      throw err;
    }
  }

  private pluralsOf(group: string): string[] {
    return this.opts.registry
      .all()
      .filter((i) => i.group === group)
      .map((i) => i.plural);
  }
}

const deny = (reason: string): AccessReviewStatus => ({ allowed: false, denied: true, reason });

const targetOf = (attrs: ResourceAttributes) => `${attrs.resource}${attrs.group ? `.${attrs.group}` : ""}${attrs.subresource ? `/${attrs.subresource}` : ""}`;

/** kubectl sends `roles.security.clawbernetes.com` as the resource, with no group, when its discovery cache misses. */
function withGroup(attrs: ResourceAttributes): ResourceAttributes {
  const dot = attrs.resource.indexOf(".");
  if (attrs.group !== "" || dot < 0) return attrs;
  return { ...attrs, resource: attrs.resource.slice(0, dot), group: attrs.resource.slice(dot + 1) };
}
