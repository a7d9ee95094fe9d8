// The MFA entries of the route table, under users/{name}/mfa. Each needs a users permission (read for the
// status, admin for the rest), and the ownMfa policy lets a user through for their own MFA without it;
// enroll and confirm are the user's own only (the handlers refuse anyone else, admins included).

import type { AccessPolicy, Route } from "../server/route-table.js";
import { SECURITY_API } from "../types/auth-api.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { mfaConfirm, mfaDisable, mfaEnroll, mfaStatus } from "./mfa-endpoints.js";

/** A user manages their own MFA without users:read or users:admin (disable still needs a code; the handler checks it). */
export const ownMfa: AccessPolicy = ({ info, user }) => (info.name === user.name ? OWN_MFA : undefined);
export const OWN_MFA = "own-mfa";

const TARGET = { group: "security.clawbernetes.com", version: "v1", resource: "users", subresource: "mfa" };

export function mfaRoutes(deps: AuthEndpointDeps): Route[] {
  const base = `${SECURITY_API}/users/{name}/mfa`;
  const name = (ctx: { info: { name?: string } }) => ctx.info.name ?? "";
  return [
    { id: "users.mfa.status", method: "GET", path: base, verb: "get", target: TARGET, access: { kind: "permission", resource: "users", action: "read", policy: ownMfa }, cost: "read", handler: (ctx) => mfaStatus(ctx, deps, name(ctx)) },
    { id: "users.mfa.enroll", method: "POST", path: `${base}/enroll`, verb: "create", target: TARGET, access: { kind: "permission", resource: "users", action: "admin", policy: ownMfa }, cost: "write", handler: (ctx) => mfaEnroll(ctx, deps, name(ctx)) },
    { id: "users.mfa.confirm", method: "POST", path: `${base}/confirm`, verb: "update", target: TARGET, access: { kind: "permission", resource: "users", action: "admin", policy: ownMfa }, cost: "write", handler: (ctx) => mfaConfirm(ctx, deps, name(ctx)) },
    { id: "users.mfa.disable", method: "POST", path: `${base}/disable`, verb: "delete", target: TARGET, access: { kind: "permission", resource: "users", action: "admin", policy: ownMfa }, cost: "write", handler: (ctx) => mfaDisable(ctx, deps, name(ctx)) },
  ];
}
