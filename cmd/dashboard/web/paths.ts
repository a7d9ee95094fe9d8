// The REST paths the dashboard calls. The browser loads only this folder's modules, so the contract's constants
// cannot be imported at run time; paths.test.ts checks each one against api/types.

export const AUTH_API = "/apis/auth.clawbernetes.com/v1";
export const SECURITY_API = "/apis/security.clawbernetes.com/v1";
export const AUDIT_API = "/apis/audit.clawbernetes.com/v1";

export const dashboardPaths = {
  login: `${AUTH_API}/login`,
  logout: `${AUTH_API}/logout`,
  whoami: `${AUTH_API}/whoami`,
  auditEvents: `${AUDIT_API}/events`,
  reputation: `${SECURITY_API}/reputation`,
  securityCheck: `${SECURITY_API}/securitycheck`,
  mfaStatus: (user: string) => `${SECURITY_API}/users/${encodeURIComponent(user)}/mfa`,
  mfaEnroll: (user: string) => `${SECURITY_API}/users/${encodeURIComponent(user)}/mfa/enroll`,
  mfaConfirm: (user: string) => `${SECURITY_API}/users/${encodeURIComponent(user)}/mfa/confirm`,
  list: (plural: "blockrules" | "certificates" | "apikeys" | "secrets" | "nodes") => `${SECURITY_API}/${plural}`,
} as const;

/** The audit entry type the alert rules record (docs/alerts.md). */
export const SECURITY_ALERT_TYPE = "security.alert";

/** The cause reason of the login's 401 when the password must come with a one-time code (api/types/mfa-api.ts). */
export const MFA_REQUIRED_REASON = "MFARequired";
