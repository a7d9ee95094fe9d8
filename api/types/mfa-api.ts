// The MFA (TOTP) half of the identity API's wire contract, shared by the server (api/auth/mfa-*) and the CLI
// (cmd/cli/commands/auth-mfa-command.ts). A user manages their own MFA; users:admin may disable another's.

import { SECURITY_API } from "./auth-api.js";

const base = (user: string) => `${SECURITY_API}/users/${encodeURIComponent(user)}/mfa`;

export const mfaPaths = {
  /** GET → MfaStatus (own, or users:read). */
  status: (user: string) => base(user),
  /** POST → MfaEnrollment: a new secret (the otpauth:// URI shown once); MFA stays off until confirmed. Own only. */
  enroll: (user: string) => `${base(user)}/enroll`,
  /** POST MfaCodeRequest → MfaRecoveryCodes: the first valid code turns MFA on; the recovery codes are shown once. Own only. */
  confirm: (user: string) => `${base(user)}/confirm`,
  /** POST MfaCodeRequest → MfaStatus: own with a current or recovery code; another's with users:admin. */
  disable: (user: string) => `${base(user)}/disable`,
} as const;

/** The cause reason of the login's 401 when the password must come with a code: the CLI prompts for it. */
export const MFA_REQUIRED_REASON = "MFARequired";
/** The cause reason of a 403 for a session that may only enrol MFA ([auth.mfa] required_for_roles). */
export const MFA_ENROLMENT_REQUIRED_REASON = "MFAEnrolmentRequired";
/** What a user runs to enrol. */
export const MFA_ENROLL_COMMAND = "claw auth mfa enroll";

export interface MfaStatus {
  username: string;
  enabled: boolean;
  /** An enrolment was started and not yet confirmed. */
  pending: boolean;
  /** RFC 3339. */
  enabledAt?: string;
  recoveryCodesLeft: number;
  /** RFC 3339: wrong codes locked logins until then. */
  lockedUntil?: string;
}

export interface MfaEnrollment {
  username: string;
  /** base32, for typing into an authenticator app by hand. */
  secret: string;
  /** otpauth://totp/… for the QR code. */
  uri: string;
  algorithm: "SHA1";
  digits: 6;
  periodSeconds: 30;
}

export interface MfaCodeRequest {
  /** A 6-digit TOTP code, or (disable only) a recovery code. */
  code: string;
}

export interface MfaRecoveryCodes {
  username: string;
  /** Each works once; shown only now, stored as SHA-256 hashes. */
  recoveryCodes: string[];
}
