// The authorizer: always runs, and reads only the matched route's declared access and the caller.
// 401 is authentication's answer; this one answers 403 naming the caller, the action and what is
// missing: `user "alice" cannot delete roles "x": needs roles:delete (…)`.

import { ApiError, unauthorized } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { Action, Resource } from "../rbac/permissions.js";
import type { SystemRule, UserInfo } from "./admission.js";

export type { SystemRule };
import type { RequestInfo } from "./request-info.js";
import type { RouteAccess } from "./route-table.js";

export interface Decision {
  allowed: boolean;
  /** Why, for people: the role that grants it, or what is missing. */
  reason: string;
}

/** Decides `resource:action` for a user; the identity module provides it through the module context. */
export interface PermissionDecider {
  decide(user: UserInfo, resource: Resource | "*", action: Action): Promise<Decision> | Decision;
  /**
   * Throws 403 unless `user` holds everything an identity for `target` would carry: a user's roles whatever
   * its state, or named roles (a node certificate's). Minting a credential for someone is acting as them.
   * Absent: nothing can be proven held, so the caller refuses.
   */
  requireHolds?(user: UserInfo, target: { user: string } | { roles: readonly string[] }, attempt: string, ref: { kind: string; name: string }): Promise<void>;
}

/** Grants nothing: a server without an identity module answers 403 to every permission-guarded route. */
export const denyAll: PermissionDecider = { decide: () => ({ allowed: false, reason: "no identity module is configured" }) };

/** A 403 whose message names the caller, the action and the permission they lack. */
export function forbiddenFor(opts: { user: UserInfo; action: string; what: string; reason: string; name?: string }): ApiError {
  const message = `user "${opts.user.name}" cannot ${opts.action} ${opts.what}${opts.name !== undefined ? ` "${opts.name}"` : ""}: ${opts.reason}`;
  return new ApiError(403, "Forbidden", message, { group: GROUP, kind: opts.what, ...(opts.name !== undefined ? { name: opts.name } : {}) });
}

/** What a 403 calls the target: `roles`, `roles/status`, `leases.coordination.clawbernetes.com`, or the path. */
export function targetName(info: RequestInfo): string {
  if (!info.resource) return info.path;
  const resource = info.group && info.group !== GROUP ? `${info.resource}.${info.group}` : info.resource;
  return info.subresource ? `${resource}/${info.subresource}` : resource;
}


export const systemAllows = (rules: readonly SystemRule[], info: RequestInfo): boolean => {
  const target = info.subresource ? `${info.resource ?? ""}/${info.subresource}` : (info.resource ?? "");
  return info.isResourceRequest && rules.some((r) => r.resources.includes(target) && r.verbs.includes(info.verb));
};

export interface AuthorizeResult {
  /** The policy that admitted the caller without the permission, if one did. */
  grant?: string;
}

/** Throws 401/403 unless the caller may use the route. */
export async function authorizeRoute(opts: { access: RouteAccess; info: RequestInfo; user: UserInfo | undefined; decider: PermissionDecider }): Promise<AuthorizeResult> {
  const { access, info, user } = opts;
  if (access.kind === "public") return {};
  if (!user) throw unauthorized();
  if (access.kind === "authenticated") return {};
  if (user.system) {
    if (systemAllows(user.system.rules, info)) return {};
    throw forbiddenFor({ user, action: info.verb, what: targetName(info), reason: "outside the rules of this system identity", ...nameOf(info) });
  }
  const decision = await opts.decider.decide(user, access.resource, access.action);
  if (decision.allowed) return {};
  const grant = access.policy?.({ info, user });
  if (grant) return { grant };
  throw forbiddenFor({ user, action: access.action, what: targetName(info), reason: decision.reason, ...nameOf(info) });
}

/** One more permission mid-request (ctx.authorize). System identities get exactly their rules for the verb asked. */
export async function authorizePermission(opts: { permission: { resource: Resource | "*"; action: Action }; info: RequestInfo; user: UserInfo | undefined; decider: PermissionDecider; verb: string }): Promise<void> {
  const { user, info, permission } = opts;
  if (!user) throw unauthorized();
  if (user.system) {
    if (systemAllows(user.system.rules, { ...info, verb: opts.verb as RequestInfo["verb"] })) return;
    throw forbiddenFor({ user, action: opts.verb, what: targetName(info), reason: "outside the rules of this system identity", ...nameOf(info) });
  }
  const decision = await opts.decider.decide(user, permission.resource, permission.action);
  if (!decision.allowed) throw forbiddenFor({ user, action: permission.action, what: targetName(info), reason: decision.reason, ...nameOf(info) });
}

const nameOf = (info: RequestInfo): { name?: string } => (info.name !== undefined ? { name: info.name } : {});
