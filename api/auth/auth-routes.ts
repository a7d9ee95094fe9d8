// The identity module's entries in the route table: sessions (login is public; refresh, logout, whoami and
// access reviews need only a credential), passwords and API key secrets (a permission, with a named
// policy beside it for the finer rule). The pipeline authorizes every one of them; none checks its own
// permission.

import type { RequestContext } from "../server/request-context.js";
import type { Route } from "../server/route-table.js";
import { keyOwner, ownPassword } from "./access-policies.js";
import { AUTH_API, SECURITY_API } from "../types/auth-api.js";
import { apiKeySecret } from "./api-key-endpoints.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { mfaRoutes } from "./mfa-routes.js";
import { setPassword } from "./password-endpoint.js";
import { accessReview, whoami } from "./review-endpoints.js";
import { login, logout, refresh } from "./session-endpoints.js";

const AUTH_TARGET = { group: "auth.clawbernetes.com", version: "v1" };

export function authRoutes(deps: AuthEndpointDeps): Route[] {
  const run = (handler: (ctx: RequestContext, deps: AuthEndpointDeps) => Promise<void>) => (ctx: RequestContext) => handler(ctx, deps);
  return [
    { id: "auth.login", method: "POST", path: `${AUTH_API}/login`, verb: "create", target: { ...AUTH_TARGET, resource: "sessions" }, access: { kind: "public" }, cost: "expensive", handler: run(login) },
    { id: "auth.refresh", method: "POST", path: `${AUTH_API}/refresh`, verb: "create", target: { ...AUTH_TARGET, resource: "sessions" }, access: { kind: "authenticated" }, cost: "write", handler: run(refresh) },
    { id: "auth.logout", method: "POST", path: `${AUTH_API}/logout`, verb: "delete", target: { ...AUTH_TARGET, resource: "sessions" }, access: { kind: "authenticated" }, cost: "write", handler: run(logout) },
    { id: "auth.whoami", method: "GET", path: `${AUTH_API}/whoami`, verb: "get", target: { ...AUTH_TARGET, resource: "whoami" }, access: { kind: "authenticated" }, cost: "read", handler: run(whoami) },
    // Reviewing another user's access (spec.user) asks the authorizer for users:admin mid-request.
    { id: "auth.accessreviews", method: "POST", path: `${AUTH_API}/accessreviews`, verb: "create", target: { ...AUTH_TARGET, resource: "accessreviews" }, access: { kind: "authenticated" }, cost: "read", handler: run(accessReview) },
    {
      id: "users.password",
      method: "POST",
      path: `${SECURITY_API}/users/{name}/password`,
      verb: "update",
      target: { group: "security.clawbernetes.com", version: "v1", resource: "users", subresource: "password" },
      access: { kind: "permission", resource: "users", action: "update", policy: ownPassword },
      cost: "expensive",
      handler: (ctx) => setPassword(ctx, deps, ctx.info.name ?? ""),
    },
    ...(["secret", "rotate"] as const).map(
      (sub): Route => ({
        id: `apikeys.${sub}`,
        method: "POST",
        path: `${SECURITY_API}/apikeys/{name}/${sub}`,
        verb: "create",
        target: { group: "security.clawbernetes.com", version: "v1", resource: "apikeys", subresource: sub },
        access: { kind: "permission", resource: "apikeys", action: "admin", policy: keyOwner },
        cost: "write",
        handler: (ctx) => apiKeySecret(ctx, deps, ctx.info.name ?? "", sub === "rotate"),
      }),
    ),
    ...mfaRoutes(deps),
  ];
}
