// gateway.toml's [auth.jwt] and [auth.rbac], parsed once into a typed config. The caller (cmd/) passes a
// reader for environment variables, since only cmd/ touches process.env.
//
// [auth]
//   disable_inactive_after_days  (absent: off) a whole number of days, 1 to 3650: the inactive-credentials
//                                controller disables users and revokes API keys unused for longer
//                                (docs/inactive-credentials.md).
// [auth.rbac]
//   enabled                  (default true)  false: every authenticated caller may do everything and the
//                                            escalation checks are off; for tests only (the server warns).
//   default_role             (default "viewer") the role written into spec.roles of a User created without
//                                            roles, when require_role_assignment is false. "" for none.
//   require_role_assignment  (default true)  true: a User created without roles keeps none, and a user with
//                                            no roles may only use the self-service endpoints (whoami,
//                                            access reviews of themselves, their own password, logout)
//                                            until an admin assigns a role; default_role is not applied.
// [auth.jwt]
//   secret_env               the environment variable holding the HS256 secret (at least 32 bytes). Absent:
//                            the servers sharing a store generate one 32-byte secret once and keep it there.
//   issuer (clawbernetes), default_expiry_hours (24), max_expiry_hours (168), allow_refresh (true),
//   refresh_window_hours (1).
// [auth.mfa]
//   required_for_roles       (default [])  users holding one of these roles must enrol TOTP MFA: until they
//                                          do, their sessions and API keys may only enrol (docs/mfa.md).

export interface JwtConfig {
  /** The signing secret from secret_env; undefined means the store-generated one. */
  secret?: Uint8Array;
  /** For messages: the variable the secret came from. */
  secretEnv?: string;
  issuer: string;
  defaultExpiryHours: number;
  maxExpiryHours: number;
  allowRefresh: boolean;
  refreshWindowHours: number;
}

export interface RbacConfig {
  enabled: boolean;
  defaultRole: string;
  requireRoleAssignment: boolean;
}

export interface MfaConfig {
  requiredForRoles: string[];
}

export interface AuthConfig {
  jwt: JwtConfig;
  rbac: RbacConfig;
  /** Absent: no role requires MFA. */
  mfa?: MfaConfig;
  /** Absent: inactive credentials are only reported, never disabled. */
  disableInactiveAfterDays?: number;
}

export class AuthConfigError extends Error {
  override name = "AuthConfigError";
}

export const MIN_JWT_SECRET_BYTES = 32;

export const defaultAuthConfig = (): AuthConfig => ({
  jwt: { issuer: "clawbernetes", defaultExpiryHours: 24, maxExpiryHours: 168, allowRefresh: true, refreshWindowHours: 1 },
  rbac: { enabled: true, defaultRole: "viewer", requireRoleAssignment: true },
});

const JWT_KEYS = ["secret_env", "issuer", "default_expiry_hours", "max_expiry_hours", "allow_refresh", "refresh_window_hours"];
const RBAC_KEYS = ["enabled", "default_role", "require_role_assignment"];
const ROLE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Parses the `[auth]` table of gateway.toml (`sections.auth`). Throws AuthConfigError naming the key, what
 * was wrong and how to fix it; the server refuses to start on it.
 */
export function parseAuthConfig(auth: unknown, opts: { readEnv: (name: string) => string | undefined; source?: string }): AuthConfig {
  const where = (table: string) => `${opts.source ?? "gateway.toml"} [auth.${table}]`;
  const config = defaultAuthConfig();
  if (auth === undefined) return config;
  const root = table(auth, `${opts.source ?? "gateway.toml"} [auth]`);
  if (root.jwt !== undefined) config.jwt = parseJwt(table(root.jwt, where("jwt")), where("jwt"), opts.readEnv);
  if (root.rbac !== undefined) config.rbac = parseRbac(table(root.rbac, where("rbac")), where("rbac"));
  if (root.mfa !== undefined) config.mfa = parseMfa(table(root.mfa, where("mfa")), where("mfa"));
  const days = inactiveDays(root.disable_inactive_after_days, `${opts.source ?? "gateway.toml"} [auth]`);
  if (days !== undefined) config.disableInactiveAfterDays = days;
  return config;
}

function parseJwt(t: Record<string, unknown>, where: string, readEnv: (name: string) => string | undefined): JwtConfig {
  unknownKeys(t, JWT_KEYS, where);
  const d = defaultAuthConfig().jwt;
  const jwt: JwtConfig = {
    issuer: str(t, "issuer", where) ?? d.issuer,
    defaultExpiryHours: hours(t, "default_expiry_hours", where) ?? d.defaultExpiryHours,
    maxExpiryHours: hours(t, "max_expiry_hours", where) ?? d.maxExpiryHours,
    allowRefresh: bool(t, "allow_refresh", where) ?? d.allowRefresh,
    refreshWindowHours: hours(t, "refresh_window_hours", where) ?? d.refreshWindowHours,
  };
  if (jwt.issuer === "") throw new AuthConfigError(`${where} issuer must not be empty`);
  if (jwt.defaultExpiryHours > jwt.maxExpiryHours)
    throw new AuthConfigError(`${where} default_expiry_hours (${jwt.defaultExpiryHours}) is more than max_expiry_hours (${jwt.maxExpiryHours}); lower it or raise max_expiry_hours`);
  const secretEnv = str(t, "secret_env", where);
  if (secretEnv !== undefined) {
    const value = readEnv(secretEnv);
    if (value === undefined || value === "")
      throw new AuthConfigError(`${where} secret_env names ${secretEnv}, which is not set; set it to a random value of at least ${MIN_JWT_SECRET_BYTES} bytes (for example: export ${secretEnv}="$(openssl rand -base64 48)")`);
    const secret = new TextEncoder().encode(value);
    if (secret.length < MIN_JWT_SECRET_BYTES)
      throw new AuthConfigError(`${where} the secret in ${secretEnv} is ${secret.length} bytes; it must be at least ${MIN_JWT_SECRET_BYTES} (for example: export ${secretEnv}="$(openssl rand -base64 48)")`);
    jwt.secret = secret;
    jwt.secretEnv = secretEnv;
  }
  return jwt;
}

function parseRbac(t: Record<string, unknown>, where: string): RbacConfig {
  unknownKeys(t, RBAC_KEYS, where);
  const d = defaultAuthConfig().rbac;
  const defaultRole = str(t, "default_role", where) ?? d.defaultRole;
  if (defaultRole !== "" && !ROLE_NAME.test(defaultRole))
    throw new AuthConfigError(`${where} default_role "${defaultRole}" is not a role name (lowercase letters, digits, '-' and '.'); use "" for none`);
  return {
    enabled: bool(t, "enabled", where) ?? d.enabled,
    defaultRole,
    requireRoleAssignment: bool(t, "require_role_assignment", where) ?? d.requireRoleAssignment,
  };
}

function parseMfa(t: Record<string, unknown>, where: string): MfaConfig {
  unknownKeys(t, ["required_for_roles"], where);
  const roles = t.required_for_roles ?? [];
  if (!Array.isArray(roles)) throw new AuthConfigError(`${where} required_for_roles must be a list of role names, e.g. ["admin"]`);
  for (const [i, role] of roles.entries())
    if (typeof role !== "string" || !ROLE_NAME.test(role))
      throw new AuthConfigError(`${where} required_for_roles[${i}] ${JSON.stringify(role)} is not a role name (lowercase letters, digits, '-' and '.'), e.g. ["admin"]`);
  return { requiredForRoles: [...new Set(roles as string[])] };
}

function table(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new AuthConfigError(`${where} must be a table`);
  return value as Record<string, unknown>;
}

function unknownKeys(t: Record<string, unknown>, known: string[], where: string): void {
  const unknown = Object.keys(t).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new AuthConfigError(`${where} has unknown key(s) ${unknown.join(", ")}; known: ${known.join(", ")}`);
}

function str(t: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new AuthConfigError(`${where} ${key} must be a string`);
  return v;
}

function bool(t: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw new AuthConfigError(`${where} ${key} must be true or false`);
  return v;
}

function hours(t: Record<string, unknown>, key: string, where: string): number | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  // smol-toml gives integers as bigint only beyond 2^53; numbers otherwise.
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new AuthConfigError(`${where} ${key} must be a positive number of hours`);
  return v;
}

export const MAX_INACTIVE_DAYS = 3650;

function inactiveDays(v: unknown, where: string): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_INACTIVE_DAYS)
    throw new AuthConfigError(`${where} disable_inactive_after_days must be a whole number of days from 1 to ${MAX_INACTIVE_DAYS}, such as 90; remove it to never disable inactive credentials`);
  return n;
}
