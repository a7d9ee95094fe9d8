// [auth.mfa] required_for_roles: a user holding one of those roles may authenticate without MFA, but the
// credential may only enrol MFA until they have.
//   - A session token counts only when its login proved a second factor (the `mfa` claim, kept by refresh):
//     a password-only session stays enrolment-only even after the user enrols; they log in again.
//   - An API key (or a client certificate) counts once its owner has MFA on: keys are long random secrets
//     minted by a session or an admin, and the bootstrap admin's key must be able to enrol.
// The authenticators mark such a caller (mfaEnrolmentOnly); the permission decider then refuses every
// permission with the enrol command in the reason. Only the ownMfa policy routes (and the ones that need
// just a credential: whoami, logout, refresh, access reviews, discovery) stay open.

import type { UserInfo } from "../server/admission.js";
import type { Authenticator } from "../server/authentication.js";
import type { Decision, PermissionDecider } from "../server/authorizer.js";
import { MFA_ENROLL_COMMAND } from "../types/mfa-api.js";
import type { IdentityRecords } from "./identity-records.js";
import type { MfaStore } from "./mfa-store.js";

export interface MfaGateOptions {
  requiredForRoles: readonly string[];
  records: IdentityRecords;
  store: MfaStore;
}

/** Wraps an authenticator: marks the callers that must enrol MFA first. */
export function mfaGate(inner: Authenticator, opts: MfaGateOptions): Authenticator {
  if (opts.requiredForRoles.length === 0) return inner;
  return {
    name: inner.name,
    async authenticate(credential, req) {
      const user = await inner.authenticate(credential, req);
      if (!user || user.system || user.roles || !user.authentication) return user;
      return (await mustEnrol(user, opts)) ? { ...user, authentication: { ...user.authentication, mfaEnrolmentOnly: true } } : user;
    },
  };
}

async function mustEnrol(user: UserInfo, opts: MfaGateOptions): Promise<boolean> {
  const record = opts.records.users.peek(user.name)?.value ?? (await opts.records.users.get(user.name));
  if (!record || !record.roles.some((r) => opts.requiredForRoles.includes(r))) return false;
  if (user.authentication?.method === "jwt") return user.authentication.mfa !== true;
  const mfa = await opts.store.get(record.name, record.uid);
  return mfa?.record.enabled !== true;
}

export const mfaEnrolmentReason = (user: UserInfo) =>
  `user "${user.name}" holds a role that requires MFA ([auth.mfa] required_for_roles) and this credential may only enrol it: run '${MFA_ENROLL_COMMAND}', then log in again with a code (claw auth login --code)`;

/** Refuses every permission to a caller that may only enrol MFA; asks `inner` otherwise. */
export function mfaEnrolmentDecider(inner: PermissionDecider): PermissionDecider {
  return {
    decide(user, resource, action): Promise<Decision> | Decision {
      if (user.authentication?.mfaEnrolmentOnly) return { allowed: false, reason: mfaEnrolmentReason(user) };
      return inner.decide(user, resource, action);
    },
    ...(inner.requireHolds ? { requireHolds: inner.requireHolds.bind(inner) } : {}),
  };
}
