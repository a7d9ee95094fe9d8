// Kubernetes' self reviews, so `kubectl auth can-i` and `kubectl auth whoami` work against claw unmodified:
// POST selfsubjectaccessreviews and selfsubjectrulesreviews (authorization.k8s.io/v1, can-i and can-i --list)
// and selfsubjectreviews (authentication.k8s.io/v1).
// Both need only a credential: any authenticated caller may ask about itself. The mapping is docs/kubectl-auth.md.

import type { ResourceRegistry } from "../schema/resource-info.js";
import type { PermissionDecider } from "../server/authorizer.js";
import { sendJson } from "../server/http-io.js";
import type { RequestContext } from "../server/request-context.js";
import type { Route } from "../server/route-table.js";
import { callerOf, readJsonObject } from "./endpoint-io.js";
import { KubeAccessJudge } from "./kube-access-judge.js";
import { readBodyBytes } from "../server/http-io.js";
import { decodeReview, PROTOBUF_MEDIA_TYPE } from "./kube-protobuf.js";
import {
  AUTHENTICATION_API,
  AUTHENTICATION_GROUP,
  AUTHORIZATION_API,
  AUTHORIZATION_GROUP,
  MAX_REVIEW_BYTES,
  parseAccessReview,
  parseRulesReview,
  parseSelfReview,
  specOf,
  type AccessReviewStatus,
} from "./kube-review-bodies.js";
import { rulesReview } from "./kube-rules-review.js";
import type { PermissionResolver } from "./permission-resolver.js";

export interface KubeReviewDeps {
  registry: ResourceRegistry;
  /** The decider the pipeline's authorizer uses (the identity module's). */
  decider: PermissionDecider;
  resolver: PermissionResolver;
  /** The module's other routes, judged like the server's own. */
  moduleRoutes: readonly Route[];
  maxBodyBytes: number;
}

export function kubeReviewRoutes(deps: KubeReviewDeps): Route[] {
  const maxBytes = Math.min(deps.maxBodyBytes, MAX_REVIEW_BYTES);
  const routes: Route[] = [
    {
      id: "kube.selfsubjectaccessreviews",
      method: "POST",
      path: `${AUTHORIZATION_API}/selfsubjectaccessreviews`,
      verb: "create",
      target: { group: AUTHORIZATION_GROUP, version: "v1", resource: "selfsubjectaccessreviews", isResourceRequest: true },
      access: { kind: "authenticated" },
      cost: "read",
      handler: (ctx) => accessReview(ctx, judge(), maxBytes),
    },
    {
      id: "kube.selfsubjectrulesreviews",
      method: "POST",
      path: `${AUTHORIZATION_API}/selfsubjectrulesreviews`,
      verb: "create",
      target: { group: AUTHORIZATION_GROUP, version: "v1", resource: "selfsubjectrulesreviews", isResourceRequest: true },
      access: { kind: "authenticated" },
      cost: "read",
      handler: async (ctx) => {
        const user = callerOf(ctx);
        parseRulesReview(await readReview(ctx, maxBytes));
        const status = await rulesReview({ user, resolver: deps.resolver, registry: deps.registry, judge: judge() });
        sendJson(ctx.res, 201, { apiVersion: `${AUTHORIZATION_GROUP}/v1`, kind: "SelfSubjectRulesReview", metadata: {}, spec: {}, status });
      },
    },
    {
      id: "kube.selfsubjectreviews",
      method: "POST",
      path: `${AUTHENTICATION_API}/selfsubjectreviews`,
      verb: "create",
      target: { group: AUTHENTICATION_GROUP, version: "v1", resource: "selfsubjectreviews", isResourceRequest: true },
      access: { kind: "authenticated" },
      cost: "read",
      handler: (ctx) => selfReview(ctx, deps.resolver, maxBytes),
    },
  ];
  // Built on first use: the judge's table holds these routes too, and the OpenAPI documents it builds are not free.
  let built: KubeAccessJudge | undefined;
  const judge = () => (built ??= new KubeAccessJudge({ registry: deps.registry, decider: deps.decider, moduleRoutes: [...deps.moduleRoutes, ...routes] }));
  return routes;
}

async function accessReview(ctx: RequestContext, judge: KubeAccessJudge, maxBytes: number): Promise<void> {
  const user = callerOf(ctx);
  const question = parseAccessReview(await readReview(ctx, maxBytes));
  const status: AccessReviewStatus = question.kind === "resource" ? await judge.resource(user, question.attrs) : await judge.nonResource(user, question.attrs);
  sendJson(ctx.res, 201, {
    apiVersion: `${AUTHORIZATION_GROUP}/v1`,
    kind: "SelfSubjectAccessReview",
    metadata: {},
    spec: specOf(question),
    status,
  });
}

/** Who the caller is: name, uid, groups, and in extra their roles and how they authenticated. Never a credential. */
async function selfReview(ctx: RequestContext, resolver: PermissionResolver, maxBytes: number): Promise<void> {
  const user = callerOf(ctx);
  parseSelfReview(await readReview(ctx, maxBytes));
  const auth = user.authentication;
  const roles = user.roles ? [...user.roles] : user.system ? [] : ((await resolver.of(user)).user?.roles ?? []);
  const extra: Record<string, string[]> = {
    roles,
    ...(auth ? { authMethod: [auth.method] } : user.system ? { authMethod: ["system"] } : {}),
    ...(auth?.keyId ? { keyId: [auth.keyId] } : {}),
    ...(auth?.scopes ? { scopes: [...auth.scopes] } : {}),
  };
  sendJson(ctx.res, 201, {
    apiVersion: `${AUTHENTICATION_GROUP}/v1`,
    kind: "SelfSubjectReview",
    metadata: {},
    status: { userInfo: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: [...user.groups], extra } },
  });
}

/** JSON, or the Kubernetes protobuf kubectl sends for built-in kinds. */
async function readReview(ctx: RequestContext, maxBytes: number): Promise<Record<string, unknown>> {
  const mediaType = (ctx.req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType === PROTOBUF_MEDIA_TYPE) return decodeReview(await readBodyBytes(ctx.req, maxBytes));
  return readJsonObject(ctx, { maxBytes });
}
