// The identity API's wire contract, shared by the server (api/auth) and the CLI (cmd/cli/commands/auth-*).
// Declarative objects (Role, User, ApiKey) use the ordinary resource paths; these imperative endpoints
// exist only where a declarative one cannot serve: passwords, secrets shown once, sessions, reviews.

/** Every path below is under this prefix; all request and response bodies are JSON. Errors are Status objects. */
export const AUTH_API = "/apis/auth.clawbernetes.com/v1";
export const SECURITY_API = "/apis/security.clawbernetes.com/v1";

export const authPaths = {
  /** POST LoginRequest → SessionToken. No credential needed (401 on a bad username/password, with one message for both). */
  login: `${AUTH_API}/login`,
  /** POST (Bearer JWT) RefreshRequest → SessionToken: only inside the refresh window, never past max expiry. */
  refresh: `${AUTH_API}/refresh`,
  /** POST (Bearer JWT) → {} : the token's jti is denied until its expiry, on every server sharing the store. */
  logout: `${AUTH_API}/logout`,
  /** GET → WhoAmI for the caller. */
  whoami: `${AUTH_API}/whoami`,
  /** POST AccessReview → AccessReview with status. `spec.user` (impersonation, --as) needs users:admin. */
  accessReview: `${AUTH_API}/accessreviews`,
  /** POST SetPasswordRequest → {} : needs users:update on that user (or being that user and giving currentPassword). */
  userPassword: (user: string) => `${SECURITY_API}/users/${encodeURIComponent(user)}/password`,
  /**
   * POST → ApiKeySecret, exactly once per ApiKey: mints the key id and secret, stores only the hash, and
   * returns the secret. Only the key's owner (or users:admin / apikeys:admin) may call it; a second call
   * gets 409 AlreadyExists ("rotate the key to get a new secret").
   */
  apiKeySecret: (name: string) => `${SECURITY_API}/apikeys/${encodeURIComponent(name)}/secret`,
  /** POST → ApiKeySecret with a new secret; the old one stops working at once; status.rotation counts up. */
  apiKeyRotate: (name: string) => `${SECURITY_API}/apikeys/${encodeURIComponent(name)}/rotate`,
} as const;

export interface LoginRequest {
  username: string;
  password: string;
  /** Defaults to [auth.jwt] default_expiry_hours; capped by max_expiry_hours. */
  expiryHours?: number;
  /** For a user with MFA on: the authenticator app's code or a recovery code (401 with cause MFARequired without it). */
  code?: string;
}

export interface RefreshRequest {
  expiryHours?: number;
}

export interface SessionToken {
  token: string;
  /** RFC 3339. */
  expiresAt: string;
  /** RFC 3339: the latest instant any refresh of this session can reach (login time + max_expiry_hours). */
  maxExpiresAt: string;
  username: string;
}

export interface SetPasswordRequest {
  password: string;
  /** Required when a user changes their own password without users:update. */
  currentPassword?: string;
}

export interface ApiKeySecret {
  /** `ak_` + 20 base62 characters. */
  keyId: string;
  /** `clk_` + the key id's 20 characters + 32 random base62 characters; shown once, never stored. */
  secret: string;
  name: string;
  displayName: string;
  scopes: string[];
  /** RFC 3339, absent for a key that never expires. */
  expiresAt?: string;
}

export interface WhoAmI {
  /** `alice`. The bootstrap credential is an API key of user `admin`, so it reads `admin`. */
  username: string;
  /** How the caller authenticated. */
  method: "apikey" | "jwt" | "mtls";
  /** For API keys. */
  keyId?: string;
  roles: string[];
  /** The effective permissions: roles' union, intersected with the key's scopes. */
  permissions: string[];
  /** RFC 3339, for JWTs and expiring keys. */
  expiresAt?: string;
}

export interface AccessReview {
  apiVersion: "auth.clawbernetes.com/v1";
  kind: "AccessReview";
  spec: {
    /** One of the guide's resources: nodes, workloads, secrets, users, roles, audit, molt, … */
    resource: string;
    /** One of create, read, list, update, delete, execute, admin. */
    action: string;
    /** Ask for another user (`--as`); needs users:admin. */
    user?: string;
  };
  status?: {
    allowed: boolean;
    /** Why: the role that grants it, or the permission that is missing. */
    reason: string;
  };
}

/**
 * The field manager of the identity module's credential telemetry (User status.lastLoginTime, ApiKey
 * status.lastUsedTime): the audit log does not record these status writes as resource.updated.
 */
export const CREDENTIAL_ACTIVITY_MANAGER = "claw-credential-activity";
