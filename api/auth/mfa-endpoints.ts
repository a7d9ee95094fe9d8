// The MFA endpoints under users/{name}/mfa: status, enroll (a new sealed secret, returned once), confirm
// (the first valid code turns MFA on and returns the recovery codes, once), disable (own with a code; another's
// with users:admin, holding every permission of their roles). Enrolment is the user's own: whoever holds the
// secret is the second factor, so no one enrols for someone else.

import { toRfc3339 } from "../machinery/clock.js";
import { ApiError, invalid, notFound, tooManyRequests } from "../machinery/errors.js";
import { sendJson } from "../server/http-io.js";
import type { RequestContext } from "../server/request-context.js";
import { refOf } from "../server/resource-service.js";
import { MFA_ENROLL_COMMAND, type MfaEnrollment, type MfaRecoveryCodes, type MfaStatus } from "../types/mfa-api.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { callerOf, optionalString, readJsonObject } from "./endpoint-io.js";
import { requireHoldsUser } from "./escalation.js";
import type { UserRecord } from "./identity-records.js";
import { hashRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT, type MfaRecord } from "./mfa-store.js";
import { checkCode, LOCK_MS, lockedUntilMs } from "./mfa-verify.js";
import { ipOf } from "./session-endpoints.js";
import { acceptTotp, TOTP_SECRET_BYTES, totpEnrollment } from "./totp.js";

const userResource = (name: string) => ({ group: "security.clawbernetes.com", kind: "User", name });

async function targetUser(deps: AuthEndpointDeps, username: string): Promise<UserRecord> {
  const user = await deps.records.users.get(username);
  if (!user) throw notFound(refOf(deps.users, username));
  return user;
}

/** The caller themself, as the same User (uid) they authenticated as. */
async function ownUser(ctx: RequestContext, deps: AuthEndpointDeps, username: string, what: string): Promise<UserRecord> {
  const caller = callerOf(ctx);
  if (caller.name !== username)
    throw new ApiError(403, "Forbidden", `user "${caller.name}" cannot ${what} MFA of user "${username}": only the user themself can; they run ${MFA_ENROLL_COMMAND}`);
  const user = await targetUser(deps, username);
  if (caller.uid !== undefined && caller.uid !== user.uid) throw new ApiError(403, "Forbidden", `user "${username}" was deleted and created again; log in again`);
  return user;
}

const statusOf = (username: string, record: MfaRecord | undefined, nowMs: number): MfaStatus => {
  const locked = record ? lockedUntilMs(record, nowMs) : undefined;
  return {
    username,
    enabled: record?.enabled === true,
    pending: record !== undefined && !record.enabled,
    ...(record?.enabledAt ? { enabledAt: record.enabledAt } : {}),
    recoveryCodesLeft: record?.enabled ? record.recoveryCodes.filter((c) => !c.usedAt).length : 0,
    ...(locked !== undefined ? { lockedUntil: toRfc3339(locked) } : {}),
  };
};

export async function mfaStatus(ctx: RequestContext, deps: AuthEndpointDeps, username: string): Promise<void> {
  const user = await targetUser(deps, username);
  const found = await deps.mfa.store.get(username, user.uid);
  sendJson(ctx.res, 200, statusOf(username, found?.record.userUid === user.uid ? found.record : undefined, deps.clock.now()));
}

export async function mfaEnroll(ctx: RequestContext, deps: AuthEndpointDeps, username: string): Promise<void> {
  const user = await ownUser(ctx, deps, username, "enrol");
  const found = await deps.mfa.store.get(username, user.uid);
  if (found?.record.enabled) throw new ApiError(409, "Conflict", `user "${username}" has MFA on already; to enrol a new authenticator, disable it first (claw auth mfa disable)`);
  const secret = deps.mfa.randomBytes(TOTP_SECRET_BYTES);
  const record: MfaRecord = { userUid: user.uid, sealed: deps.mfa.store.seal(username, user.uid, secret), enabled: false, createdAt: toRfc3339(deps.clock.now()), recoveryCodes: [], failures: 0 };
  if (!(await deps.mfa.store.put(username, record, found?.revision))) throw new ApiError(409, "Conflict", `another MFA change for user "${username}" happened at the same time; try again`);
  const { base32, uri } = totpEnrollment(secret, username);
  const answer: MfaEnrollment = { username, secret: base32, uri, algorithm: "SHA1", digits: 6, periodSeconds: 30 };
  sendJson(ctx.res, 201, answer);
}

export async function mfaConfirm(ctx: RequestContext, deps: AuthEndpointDeps, username: string): Promise<void> {
  const user = await ownUser(ctx, deps, username, "confirm");
  const code = optionalString(await readJsonObject(ctx, { maxBytes: deps.maxBodyBytes }), "code") ?? "";
  const found = await deps.mfa.store.get(username, user.uid);
  if (!found || found.record.userUid !== user.uid) throw new ApiError(409, "Conflict", `user "${username}" has no MFA enrolment to confirm; start one with ${MFA_ENROLL_COMMAND}`);
  if (found.record.enabled) throw new ApiError(409, "Conflict", `user "${username}" has MFA on already`);
  const nowMs = deps.clock.now();
  const step = acceptTotp({ secret: deps.mfa.store.open(username, found.record), code, nowMs });
  if (step === undefined)
    throw invalid({ group: deps.users.group, kind: "MfaCodeRequest", name: username }, [
      { field: "code", reason: "FieldValueInvalid", message: "Invalid value: not the current 6-digit code of the authenticator app (check that the device's clock is right)" },
    ]);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode(deps.mfa.randomBytes));
  const record: MfaRecord = { ...found.record, enabled: true, enabledAt: toRfc3339(nowMs), lastStep: step, recoveryCodes: codes.map((c) => ({ sha256: hashRecoveryCode(c) })), failures: 0 };
  if (!(await deps.mfa.store.put(username, record, found.revision))) throw new ApiError(409, "Conflict", `another MFA change for user "${username}" happened at the same time; try again`);
  await deps.audit.record({ type: "auth.mfa.enabled", actor: username, ...ipOf(ctx), resource: userResource(username), outcome: "success", details: { method: "totp", recoveryCodes: RECOVERY_CODE_COUNT } });
  const answer: MfaRecoveryCodes = { username, recoveryCodes: codes };
  sendJson(ctx.res, 200, answer);
}

export async function mfaDisable(ctx: RequestContext, deps: AuthEndpointDeps, username: string): Promise<void> {
  const caller = callerOf(ctx);
  const self = caller.name === username;
  const body = await readJsonObject(ctx, { maxBytes: deps.maxBodyBytes, optional: true });
  const code = optionalString(body, "code");
  const user = self ? await ownUser(ctx, deps, username, "disable") : await targetUser(deps, username);
  if (!self) {
    // users:admin let the caller through (the route); disabling a factor of someone is acting on their account.
    const target = await deps.resolver.heldBy(username);
    await requireHoldsUser({ resolver: deps.resolver, user: caller, target, attempt: `disable the MFA of user "${username}"`, ref: { kind: "users", name: username } });
  }
  const found = await deps.mfa.store.get(username, user.uid);
  if (!found) return sendJson(ctx.res, 200, statusOf(username, undefined, deps.clock.now()));
  if (self && found.record.enabled) {
    const nowMs = deps.clock.now();
    const locked = lockedUntilMs(found.record, nowMs);
    if (locked !== undefined) throw tooManyRequests(`too many wrong MFA codes for user "${username}": locked until ${toRfc3339(locked)}`, Math.ceil((locked - nowMs) / 1000));
    if (code === undefined || code === "") throw new ApiError(403, "Forbidden", `disabling your own MFA needs a current code or a recovery code (claw auth mfa disable --code)`);
    const check = checkCode({ record: found.record, secret: deps.mfa.store.open(username, found.record), code, nowMs, proceed: true });
    if (!check.ok) {
      await deps.mfa.store.put(username, check.next, found.revision);
      throw new ApiError(403, "Forbidden", `the code is not valid for user "${username}"${check.lockedNow ? `; too many wrong codes, locked for ${LOCK_MS / 60_000} minutes` : ""}`);
    }
  }
  if (!(await deps.mfa.store.remove(username, found.revision))) throw new ApiError(409, "Conflict", `another MFA change for user "${username}" happened at the same time; try again`);
  if (found.record.enabled)
    await deps.audit.record({ type: "auth.mfa.disabled", actor: caller.name, ...ipOf(ctx), resource: userResource(username), outcome: "success", details: { self } });
  sendJson(ctx.res, 200, statusOf(username, undefined, deps.clock.now()));
}
