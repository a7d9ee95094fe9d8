// Events built from a request, for the emit points the lead wires into the API server. Each returns an
// AuditEvent for AuditLog.record(); none ever copies a credential: a rejected API key is named by its key
// id (derived from the `clk_` secret's public part), a rejected token not at all.

import type { Credential } from "../server/authentication.js";
import { sourceIpOf, type RequestContext } from "../server/request-context.js";
import type { AuditEvent } from "../client/audit/event.js";

type Ctx = Pick<RequestContext, "req" | "url" | "user" | "info">;

/** The caller: the user's name (an API key acts as its owner), or `anonymous`. */
export const actorOf = (ctx: Pick<RequestContext, "user">): string => ctx.user?.name ?? "anonymous";

export { sourceIpOf };

/** How the caller authenticated (API key id, JWT, certificate) for the details, never the secret. */
function authDetails(ctx: Pick<RequestContext, "user">): Record<string, unknown> {
  const auth = ctx.user?.authentication;
  if (!auth) return {};
  return { authMethod: auth.method, ...(auth.keyId ? { keyId: auth.keyId } : {}) };
}

/** The key id of a presented `clk_` API key (its public part), so a rejected key can be named; undefined otherwise. */
export function presentedKeyId(credential: Credential | undefined): string | undefined {
  const secret = credential?.secret ?? "";
  return /^clk_[A-Za-z0-9]{20}/.test(secret) ? `ak_${secret.slice(4, 24)}` : undefined;
}

/** security.violation, outcome failure: a request whose credential was missing or refused (401). */
export function unauthenticatedEvent(ctx: Ctx, opts: { credential?: Credential; reason: string }): AuditEvent {
  const keyId = presentedKeyId(opts.credential);
  return {
    type: "security.violation",
    actor: keyId ? `apikey:${keyId}` : "anonymous",
    ...withIp(ctx),
    outcome: "failure",
    details: { status: 401, method: ctx.req.method ?? "GET", path: ctx.url.pathname, reason: opts.reason, credentialType: opts.credential ? (keyId ? "apikey" : "token") : "none" },
  };
}

/** security.violation, outcome denied: an authenticated request RBAC refused (403). */
export function forbiddenEvent(ctx: Ctx, opts: { reason: string }): AuditEvent {
  return {
    type: "security.violation",
    actor: actorOf(ctx),
    ...withIp(ctx),
    outcome: "denied",
    details: { status: 403, method: ctx.req.method ?? "GET", path: ctx.url.pathname, verb: ctx.info.verb, ...(ctx.info.resource ? { resource: ctx.info.resource } : {}), ...(ctx.info.subresource ? { subresource: ctx.info.subresource } : {}), reason: opts.reason, ...authDetails(ctx) },
  };
}

/** auth.login: a password login, successful or not (one event for every failure reason, as the 401 is one). */
export function loginEvent(ctx: Pick<RequestContext, "req">, opts: { username: string; outcome: "success" | "failure"; reason?: string }): AuditEvent {
  return {
    type: "auth.login",
    actor: opts.username || "anonymous",
    ...withIp(ctx),
    resource: { group: "security.clawbernetes.com", kind: "User", name: opts.username },
    outcome: opts.outcome,
    details: { method: "password", ...(opts.reason ? { reason: opts.reason } : {}) },
  };
}

/** auth.logout: a session token was revoked (named by its id, never the token). */
export function logoutEvent(ctx: Ctx): AuditEvent {
  return { type: "auth.logout", actor: actorOf(ctx), ...withIp(ctx), outcome: "success", details: { ...authDetails(ctx), ...(ctx.user?.authentication?.tokenId ? { tokenId: ctx.user.authentication.tokenId } : {}) } };
}

function withIp(ctx: Pick<RequestContext, "req">): { sourceIp?: string } {
  const ip = sourceIpOf(ctx);
  return ip ? { sourceIp: ip } : {};
}
