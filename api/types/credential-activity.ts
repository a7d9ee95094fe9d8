// When a credential was last active, and whether it is inactive: one rule for the CLI's `--inactive` filter
// and the inactive-credentials controllers. A credential never used counts from its creation, so it is
// inactive only once it is older than the duration.

import type { ApiKey } from "./api-key.js";
import type { User } from "./user.js";

/** Set by the inactive-credentials controllers on what they disable or revoke: why, for people and the audit log. */
export const INACTIVE_REASON_ANNOTATION = "security.clawbernetes.com/inactive-reason";

/** User status.lastLoginTime or ApiKey status.lastUsedTime; undefined when the credential was never used. */
export function lastActiveTime(object: User | ApiKey): string | undefined {
  const status = (object.status ?? {}) as { lastLoginTime?: string; lastUsedTime?: string };
  return status.lastLoginTime ?? status.lastUsedTime;
}

/**
 * When inactivity counts from (ms): the latest of the credential's own last activity and `alsoActive` (a
 * user's API keys' lastUsedTime: a user who works only through keys is active), else its creation.
 */
export function activeSinceMs(object: User | ApiKey, alsoActive: readonly (string | undefined)[] = []): number {
  const times = [lastActiveTime(object), ...alsoActive].map((t) => Date.parse(t ?? "")).filter(Number.isFinite);
  return times.length > 0 ? Math.max(...times) : Date.parse(object.metadata.creationTimestamp ?? "");
}

/** Whether the credential has been idle for more than `afterMs` at `nowMs`; an unreadable time is not stale. */
export function isInactive(object: User | ApiKey, opts: { nowMs: number; afterMs: number; alsoActive?: readonly (string | undefined)[] }): boolean {
  const since = activeSinceMs(object, opts.alsoActive);
  return Number.isFinite(since) && opts.nowMs - since > opts.afterMs;
}

/** When the credential turns inactive (ms), for a controller's requeue; undefined when the time does not read. */
export function inactiveAtMs(object: User | ApiKey, opts: { afterMs: number; alsoActive?: readonly (string | undefined)[] }): number | undefined {
  const since = activeSinceMs(object, opts.alsoActive);
  return Number.isFinite(since) ? since + opts.afterMs : undefined;
}

/** The role the lockout guard protects: the controllers never disable the last enabled user holding it. */
export const ADMIN_ROLE = "admin";

/** The names of the enabled users holding the admin role, sorted. */
export function enabledAdmins(users: readonly User[]): string[] {
  return users
    .filter((u) => u.spec?.disabled !== true && !u.metadata.deletionTimestamp && (u.spec?.roles ?? []).includes(ADMIN_ROLE))
    .map((u) => u.metadata.name)
    .sort();
}

/** The field manager of the inactive-credentials controllers' spec writes. */
export const INACTIVE_CREDENTIALS_MANAGER = "claw-inactive-credentials";
