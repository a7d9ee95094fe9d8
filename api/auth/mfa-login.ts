// The second factor of a password login. For a user with MFA on:
//   - locked (too many wrong codes): 429 with Retry-After, whatever the password and code;
//   - no code: 401 with the cause MFARequired, whatever the password (so the answer never says whether
//     the password was right; it does say that the user has MFA on);
//   - a wrong password or a wrong code: the one login failure message, and a failure toward the lock; the
//     code is only looked at when the password was right, so a recovery code is not spent on a wrong one.

import { ApiError, tooManyRequests, unauthorized } from "../machinery/errors.js";
import { toRfc3339 } from "../machinery/clock.js";
import type { RequestContext } from "../server/request-context.js";
import { MFA_REQUIRED_REASON } from "../types/mfa-api.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import type { UserRecord } from "./identity-records.js";
import { checkCode, lockedUntilMs } from "./mfa-verify.js";

export const LOGIN_FAILED = "Unauthorized: the username or password is not correct";
const CAS_ATTEMPTS = 4;

export const mfaRequired = (username: string) =>
  new ApiError(401, "Unauthorized", `Unauthorized: user "${username}" has MFA on: send the code from the authenticator app (or a recovery code) with the password (claw auth login --code)`, {
    causes: [{ field: "code", reason: MFA_REQUIRED_REASON, message: "a TOTP code or a recovery code is required" }],
  });

/** "totp" or "recovery-code" when the user has MFA on and the code was accepted; undefined when the user has no MFA. Throws otherwise. */
export async function secondFactor(ctx: RequestContext, deps: AuthEndpointDeps, opts: { user: UserRecord | undefined; passwordOk: boolean; code: string | undefined }): Promise<"totp" | "recovery-code" | undefined> {
  const { user } = opts;
  if (!user || user.disabled) return undefined;
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const found = await deps.mfa.store.get(user.name, user.uid);
    if (!found?.record.enabled) return undefined;
    const { record, revision } = found;
    const nowMs = deps.clock.now();
    const locked = lockedUntilMs(record, nowMs);
    if (locked !== undefined) {
      await deps.audit.record({ ...(ctx.auditAs ?? { type: "auth.login", actor: user.name }), type: "auth.login", outcome: "failure", details: { method: "password", reason: "mfa-locked", lockedUntil: toRfc3339(locked) } });
      ctx.refusalRecorded = true;
      throw tooManyRequests(`too many wrong MFA codes for user "${user.name}": logins are locked until ${toRfc3339(locked)}`, Math.ceil((locked - nowMs) / 1000));
    }
    if (opts.code === undefined || opts.code === "") throw mfaRequired(user.name);
    const check = checkCode({ record, secret: deps.mfa.store.open(user.name, record), code: opts.code, nowMs, proceed: opts.passwordOk });
    if (!(await deps.mfa.store.put(user.name, check.next, revision))) continue;
    if (check.ok) return check.kind;
    if (ctx.auditAs) ctx.auditAs = { ...ctx.auditAs, details: { ...ctx.auditAs.details, mfa: check.lockedNow ? "wrong-code-locked" : "wrong-code" } };
    throw unauthorized(LOGIN_FAILED);
  }
  throw new ApiError(409, "Conflict", `concurrent logins of user "${user.name}" raced for the same MFA record; try again`);
}
