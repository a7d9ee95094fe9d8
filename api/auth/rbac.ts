// The RBAC authorizer for ApiServer's `authorizer` option: maps the request to resource:action and checks
// the caller's effective permissions. 401 is authentication's answer; this one answers 403, naming the
// permission that is missing: `user "alice" cannot delete roles: needs roles:delete`.

import { ApiError } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { UserInfo } from "../server/admission.js";
import type { Authorizer } from "../server/api-server.js";
import type { RequestContext } from "../server/request-context.js";
import { resourceKey } from "../store/keys.js";
import type { Store } from "../store/store.js";
import type { PermissionResolver } from "./permission-resolver.js";
import type { Action, Resource } from "../rbac/permissions.js";
import { requestAttributes } from "./request-attributes.js";

/** A 403 whose message names the caller, the action and the permission they lack. */
export function forbiddenFor(opts: { user: UserInfo; action: string; what: string; reason: string; name?: string }): ApiError {
  const message = `user "${opts.user.name}" cannot ${opts.action} ${opts.what}${opts.name !== undefined ? ` "${opts.name}"` : ""}: ${opts.reason}`;
  return new ApiError(403, "Forbidden", message, { group: GROUP, kind: opts.what, ...(opts.name !== undefined ? { name: opts.name } : {}) });
}

export function createRbacAuthorizer(opts: { resolver: PermissionResolver; store: Store }): Authorizer {
  const { resolver } = opts;
  return async (ctx: RequestContext) => {
    if (!resolver.rbacEnabled) return;
    const user = ctx.user;
    // The server authenticates before it authorizes; a request without a user never gets this far.
    if (!user) throw new ApiError(401, "Unauthorized", "Unauthorized");
    const attrs = requestAttributes({
      method: ctx.req.method ?? "GET",
      path: ctx.url.pathname,
      ...(ctx.req.headers["content-type"] ? { contentType: ctx.req.headers["content-type"] } : {}),
    });
    if (attrs.kind === "authenticated") return;
    const cached = resolver.cachedPermissions(user);
    const fast = cached?.allows(attrs.resource, attrs.action) === true;
    if (!fast) await check(attrs.resource, attrs.action);
    if (attrs.mayCreate && !(await opts.store.get(resourceKey(GROUP, attrs.mayCreate.plural, attrs.mayCreate.name)))) await check(attrs.resource, "create");

    async function check(resource: Resource | "*", action: Action): Promise<void> {
      const effective = await resolver.of(user!);
      if (resolver.allows(effective, resource, action)) return;
      const decision = resolver.decide(effective, resource, action);
      if (!decision.allowed) throw forbiddenFor({ user: user!, action, what: attrs.kind === "permission" ? attrs.what : "", reason: decision.reason, ...(attrs.kind === "permission" && attrs.name !== undefined ? { name: attrs.name } : {}) });
    }
  };
}
