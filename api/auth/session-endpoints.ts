// POST login (no credential), refresh and logout (a session token): the JWT half of the identity API.

import { toRfc3339 } from "../machinery/clock.js";
import { ApiError, badRequest, unauthorized } from "../machinery/errors.js";
import type { AuthenticationInfo } from "../server/admission.js";
import { sendJson } from "../server/http-io.js";
import { sourceIpOf, type RequestContext } from "../server/request-context.js";
import type { SessionToken } from "../types/auth-api.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { callerOf, optionalNumber, optionalString, readJsonObject, requiredString } from "./endpoint-io.js";
import type { IssuedToken } from "./jwt-sessions.js";
import { LOGIN_FAILED, secondFactor } from "./mfa-login.js";

const HOUR_MS = 3_600_000;

const sessionToken = (issued: IssuedToken): SessionToken => ({
  token: issued.token,
  expiresAt: toRfc3339(issued.claims.expiresAtMs),
  maxExpiresAt: toRfc3339(issued.claims.maxExpiresAtMs),
  username: issued.claims.username,
});

export async function login(ctx: RequestContext, deps: AuthEndpointDeps): Promise<void> {
  const body = await readJsonObject(ctx, { maxBytes: deps.maxBodyBytes });
  const username = requiredString(body, "username");
  ctx.auditAs = { type: "auth.login", actor: username, resource: userResource(username), details: { method: "password" } };
  const password = requiredString(body, "password");
  const sessions = deps.sessions();
  const expiryHours = sessions.expiryHours(optionalNumber(body, "expiryHours"));
  const user = await deps.records.users.get(username);
  const stored = user && !user.disabled ? await deps.passwords.get(username) : undefined;
  const record = stored && user && stored.userUid === user.uid ? stored : undefined;
  // One hash either way, and one answer for an unknown user, a disabled one and a wrong password.
  const ok = await deps.hasher.verify(password, record);
  const mfa = await secondFactor(ctx, deps, { user, passwordOk: ok, code: optionalString(body, "code") });
  if (!ok || !user) throw unauthorized(LOGIN_FAILED);
  const issued = await sessions.issue({ username: user.name, userUid: user.uid, expiryHours, ...(mfa ? { mfa: true } : {}) });
  await deps.audit.record({ type: "auth.login", actor: user.name, ...ipOf(ctx), resource: userResource(user.name), outcome: "success", details: { method: "password", tokenId: issued.claims.tokenId, ...(mfa ? { mfa } : {}) } });
  await deps.activity?.loggedIn(user);
  sendJson(ctx.res, 200, sessionToken(issued));
}

function sessionOf(ctx: RequestContext, what: string): AuthenticationInfo & { tokenId: string; tokenExpiresAtMs: number; sessionMaxExpiresAtMs: number } {
  const auth = callerOf(ctx).authentication;
  if (auth?.method !== "jwt" || !auth.tokenId || auth.tokenExpiresAtMs === undefined || auth.sessionMaxExpiresAtMs === undefined)
    throw badRequest(`${what} needs a session token (Authorization: Bearer eyJ…); ${auth?.method === "apikey" ? "an API key is revoked or rotated instead" : "log in first (claw auth login)"}`);
  return { ...auth, tokenId: auth.tokenId, tokenExpiresAtMs: auth.tokenExpiresAtMs, sessionMaxExpiresAtMs: auth.sessionMaxExpiresAtMs };
}

export async function refresh(ctx: RequestContext, deps: AuthEndpointDeps): Promise<void> {
  const session = sessionOf(ctx, "refresh");
  const body = await readJsonObject(ctx, { maxBytes: deps.maxBodyBytes, optional: true });
  const sessions = deps.sessions();
  const { allowRefresh, refreshWindowHours } = sessions.config;
  if (!allowRefresh) throw new ApiError(403, "Forbidden", "token refresh is turned off on this server ([auth.jwt] allow_refresh = false); log in again (claw auth login)");
  const now = deps.clock.now();
  const windowOpens = session.tokenExpiresAtMs - refreshWindowHours * HOUR_MS;
  if (now < windowOpens)
    throw badRequest(`the token can be refreshed only in the last ${refreshWindowHours} h before it expires, from ${toRfc3339(windowOpens)}; it expires at ${toRfc3339(session.tokenExpiresAtMs)}`);
  const expiryHours = sessions.expiryHours(optionalNumber(body, "expiryHours"));
  if (Math.min(now + expiryHours * HOUR_MS, session.sessionMaxExpiresAtMs) <= session.tokenExpiresAtMs)
    throw badRequest(`the session reached its maximum lifetime (${toRfc3339(session.sessionMaxExpiresAtMs)}, max_expiry_hours after login); log in again (claw auth login)`);
  const caller = callerOf(ctx);
  const user = await deps.records.users.get(caller.name);
  // The session was proven for one user: never refresh it into another of the same name.
  if (!user || (caller.uid !== undefined && user.uid !== caller.uid)) throw unauthorized();
  // One live token per session: the first refresh of a token spends it (a store create), so a concurrent one loses.
  if (!(await deps.denylist.claim(session.tokenId, { expiresAtMs: session.tokenExpiresAtMs, username: user.name })))
    throw new ApiError(409, "Conflict", "the session token was already refreshed or logged out; use the token that refresh returned, or log in again (claw auth login)");
  const issued = await sessions.issue({ username: user.name, userUid: user.uid, expiryHours, maxExpiresAtMs: session.sessionMaxExpiresAtMs, ...(session.mfa ? { mfa: true } : {}) });
  await deps.audit.record({ type: "auth.token.refreshed", actor: user.name, ...ipOf(ctx), resource: userResource(user.name), outcome: "success", details: { from: session.tokenId, tokenId: issued.claims.tokenId } });
  sendJson(ctx.res, 200, sessionToken(issued));
}

export async function logout(ctx: RequestContext, deps: AuthEndpointDeps): Promise<void> {
  const session = sessionOf(ctx, "logout");
  await deps.denylist.revoke(session.tokenId, { expiresAtMs: session.tokenExpiresAtMs, username: callerOf(ctx).name });
  await deps.audit.record({ type: "auth.logout", actor: callerOf(ctx).name, ...ipOf(ctx), resource: userResource(callerOf(ctx).name), outcome: "success", details: { tokenId: session.tokenId } });
  sendJson(ctx.res, 200, {});
}

const userResource = (name: string) => ({ group: "security.clawbernetes.com", kind: "User", name });

/** The client's address for an audit entry. */
export const ipOf = (ctx: RequestContext): { sourceIp?: string } => {
  const sourceIp = sourceIpOf(ctx);
  return sourceIp ? { sourceIp } : {};
};
