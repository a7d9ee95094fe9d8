// The checklist's User Management and Secrets items: RBAC on, named accounts, inactive accounts and keys, least
// privilege, scoped and expiring API keys, MFA for admins, secret rotation and restriction. Pure judges.

import { BOOTSTRAP_API_KEY, BOOTSTRAP_USER } from "../../api/auth/bootstrap-admin.js";
import type { ApiKey } from "../../api/types/api-key.js";
import { fail, nameList, notApplicable, pass, plural, type CheckDefinition, type SecurityCheckInput } from "./security-check-input.js";

/** Accounts and keys unused for longer than this are inactive. */
export const INACTIVE_DAYS = 90;
const DAY_MS = 86_400_000;
const ADMIN_ROLE = "admin";

/** A key that can still authenticate: not revoked and not past its expiry. */
export function isLiveKey(key: ApiKey, nowMs: number): boolean {
  if (key.spec?.revoked === true || key.status?.phase === "Revoked" || key.status?.phase === "Expired") return false;
  const expiry = key.status?.expiresAt ?? key.spec?.expiresAt;
  return !expiry || Date.parse(expiry) > nowMs;
}

const hasExpiry = (key: ApiKey): boolean => Boolean(key.spec?.expiresAt || key.spec?.duration || key.status?.expiresAt);
/** The latest of a User's password login and their keys' use (a user working only through keys is active); undefined when none is recorded. */
function lastActiveMs(login: string | undefined, keysUsed: readonly (string | undefined)[]): number | undefined {
  const times = [login, ...keysUsed].map((t) => Date.parse(t ?? "")).filter(Number.isFinite);
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** Every action on every resource: `*` or `*:*`. */
const isWildcard = (permission: string): boolean => permission === "*" || permission === "*:*";

/** Roles (by name) with a permission on every action of every resource. */
export function wildcardRoles(input: SecurityCheckInput): Set<string> {
  return new Set(input.roles.filter((r) => (r.spec?.permissions ?? []).some(isWildcard)).map((r) => r.metadata.name));
}

const holders = (input: SecurityCheckInput, role: string) => input.users.filter((u) => (u.spec?.roles ?? []).includes(role)).map((u) => u.metadata.name);

export const ACCOUNT_CHECKS: readonly CheckDefinition[] = [
  {
    id: "rbac",
    title: "RBAC enforced",
    section: "User Management",
    severity: "critical",
    remediation: "gateway.toml [auth.rbac] enabled = true (the default)",
    // Passes: [auth.rbac] is on; off means every authenticated caller may do everything.
    judge: ({ rbacEnabled }) => (rbacEnabled ? pass("[auth.rbac] is on: every route's permission is checked") : fail("[auth.rbac] enabled = false: every authenticated caller may do everything")),
  },
  {
    id: "named-accounts",
    title: "Named accounts only (no shared accounts)",
    section: "User Management",
    severity: "medium",
    remediation: `create a named admin (claw auth user create NAME --email … --roles admin), then claw auth apikey revoke ${BOOTSTRAP_API_KEY}; set spec.email on every User`,
    // Passes: the bootstrap admin key is revoked or expired and every User has an email.
    judge: (input) => {
      const bootstrap = input.apiKeys.find((k) => k.metadata.name === BOOTSTRAP_API_KEY);
      const noEmail = input.users.filter((u) => !u.spec?.email).map((u) => u.metadata.name);
      const problems = [
        ...(bootstrap && isLiveKey(bootstrap, input.nowMs) ? [`the shared bootstrap admin key ${BOOTSTRAP_API_KEY} is still live`] : []),
        ...(noEmail.length > 0 ? [`${plural(noEmail.length, "User")} ${noEmail.length === 1 ? "has" : "have"} no email (${nameList(noEmail)})`] : []),
      ];
      return problems.length > 0 ? fail(`${problems.join("; ")}`) : pass(`all ${plural(input.users.length, "User")} have an email and the bootstrap admin key is no longer live`);
    },
  },
  {
    id: "inactive-accounts",
    title: `No unused accounts or keys (${INACTIVE_DAYS} days)`,
    section: "User Management",
    severity: "medium",
    remediation: "claw auth user disable NAME / claw auth apikey revoke NAME for each one listed",
    // Passes: every enabled User was active (a password login, or one of their keys used) and every live key used within 90 days; absent times are unknown (n/a).
    judge: (input) => {
      const cutoff = input.nowMs - INACTIVE_DAYS * DAY_MS;
      const users = input.users.filter((u) => u.spec?.disabled !== true);
      const keys = input.apiKeys.filter((k) => isLiveKey(k, input.nowMs));
      const userSeen = new Map(users.map((u) => [u.metadata.name, lastActiveMs(u.status?.lastLoginTime, input.apiKeys.filter((k) => k.spec?.owner === u.metadata.name).map((k) => k.status?.lastUsedTime))]));
      const staleUsers = users.filter((u) => (userSeen.get(u.metadata.name) ?? Infinity) < cutoff).map((u) => `User ${u.metadata.name}`);
      const staleKeys = keys.filter((k) => k.status?.lastUsedTime && Date.parse(k.status.lastUsedTime) < cutoff).map((k) => `ApiKey ${k.metadata.name}`);
      const stale = [...staleUsers, ...staleKeys];
      if (stale.length > 0) return fail(`unused for over ${INACTIVE_DAYS} days: ${nameList(stale, 4)}`);
      const unknownUsers = users.filter((u) => userSeen.get(u.metadata.name) === undefined).length;
      const unknownKeys = keys.filter((k) => !k.status?.lastUsedTime).length;
      if (unknownUsers + unknownKeys > 0)
        return notApplicable(`unknown: ${plural(unknownUsers, "User")} with neither status.lastLoginTime nor a used key, and ${plural(unknownKeys, "live ApiKey")} without status.lastUsedTime (never used, or not recorded)`);
      return pass(`${plural(users.length, "enabled User")} and ${plural(keys.length, "live ApiKey")} were all used within ${INACTIVE_DAYS} days`);
    },
  },
  {
    id: "least-privilege",
    title: "Roles not broader than used (`*:*` only for the admin)",
    section: "User Management",
    severity: "high",
    remediation: "claw auth user update NAME --roles operator (or a Role with only the permissions used)",
    // Passes: roles granting every action on every resource are held by the bootstrap admin alone (disabled users count).
    judge: (input) => {
      const broad = wildcardRoles(input);
      const extra = [...new Set([...broad].flatMap((r) => holders(input, r)))].filter((u) => u !== BOOTSTRAP_USER);
      if (extra.length > 0) return fail(`${plural(extra.length, "User")} besides ${BOOTSTRAP_USER} hold a role granting *:* (${nameList(extra)})`);
      return pass(`${plural(broad.size, "role")} ${broad.size === 1 ? "grants" : "grant"} *:* (${nameList([...broad]) || "none"}), held by ${BOOTSTRAP_USER} alone`);
    },
  },
  {
    id: "api-key-scopes",
    title: "API keys scoped and expiring",
    section: "User Management",
    severity: "high",
    remediation: "claw auth apikey create NAME --scopes workloads:*,nodes:read --expires 90d, then revoke the key listed",
    // Passes: no live key has a `*` / `*:*` scope or no expiry.
    judge: (input) => {
      const live = input.apiKeys.filter((k) => isLiveKey(k, input.nowMs));
      const wild = live.filter((k) => (k.spec?.scopes ?? []).some(isWildcard)).map((k) => k.metadata.name);
      const forever = live.filter((k) => !hasExpiry(k)).map((k) => k.metadata.name);
      if (live.length === 0) return notApplicable("there are no live API keys");
      const problems = [...(wild.length > 0 ? [`${plural(wild.length, "key")} with a *:* scope (${nameList(wild)})`] : []), ...(forever.length > 0 ? [`${plural(forever.length, "key")} that never ${forever.length === 1 ? "expires" : "expire"} (${nameList(forever)})`] : [])];
      return problems.length > 0 ? fail(`of ${plural(live.length, "live key")}: ${problems.join("; ")}`) : pass(`all ${plural(live.length, "live key")} are scoped and expire`);
    },
  },
  {
    id: "mfa-admins",
    title: "MFA required and enrolled for admins",
    section: "User Management",
    severity: "high",
    remediation: 'gateway.toml [auth.mfa] required_for_roles = ["admin"]; each admin runs claw auth mfa enroll',
    // Passes: [auth.mfa] requires MFA for admin and every enabled User holding admin has confirmed TOTP.
    judge: (input) => {
      const admins = input.users.filter((u) => u.spec?.disabled !== true && (u.spec?.roles ?? []).includes(ADMIN_ROLE)).map((u) => u.metadata.name);
      const missing = admins.filter((u) => !input.mfaEnrolled.has(u));
      const enrolment = missing.length > 0 ? `${plural(missing.length, "admin")} not enrolled (${nameList(missing)})` : `all ${plural(admins.length, "admin")} enrolled`;
      if (!input.mfaRequiredForRoles.includes(ADMIN_ROLE)) return fail(`[auth.mfa] required_for_roles does not include admin; ${enrolment}`);
      return missing.length > 0 ? fail(`MFA is required for admin, but ${enrolment}`) : pass(`MFA is required for admin and ${enrolment}`);
    },
  },
  {
    id: "secret-rotation",
    title: "Secrets rotate and are restricted to workloads",
    section: "Secrets",
    severity: "medium",
    remediation: "set spec.rotation.autoRotate: true with intervalDays on each Secret, and spec.allowedWorkloads or a SecretPolicy (claw secrets policy set NAME --allow-workload …)",
    // Passes: every Secret auto-rotates and has allowedWorkloads or a SecretPolicy; n/a without Secrets.
    judge: (input) => {
      if (input.secrets.length === 0) return notApplicable("there are no Secrets");
      const covered = new Set(input.secretPolicies.map((p) => p.spec?.secret));
      const noRotation = input.secrets.filter((s) => s.spec?.rotation?.autoRotate !== true).map((s) => s.metadata.name);
      const open = input.secrets.filter((s) => !(s.spec?.allowedWorkloads?.length) && !covered.has(s.metadata.name)).map((s) => s.metadata.name);
      const problems = [...(noRotation.length > 0 ? [`${plural(noRotation.length, "Secret")} without auto-rotation (${nameList(noRotation)})`] : []), ...(open.length > 0 ? [`${plural(open.length, "Secret")} with neither allowedWorkloads nor a SecretPolicy (${nameList(open)})`] : [])];
      return problems.length > 0 ? fail(problems.join("; ")) : pass(`all ${plural(input.secrets.length, "Secret")} rotate and are restricted to workloads`);
    },
  },
];
