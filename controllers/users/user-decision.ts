// The users controller's decision, pure: which of a User's roles are missing, what the existing ones
// grant together, and the RolesResolved and Ready conditions; a newly disabled user's sessions end now.

import { toRfc3339 } from "../../api/machinery/clock.js";
import { PermissionSet, permissionsOrEmpty } from "../../api/rbac/permissions.js";
import type { Role } from "../../api/types/role.js";
import type { User, UserStatus } from "../../api/types/user.js";
import { findCondition, setConditions, type ConditionInput } from "../../api/machinery/conditions.js";

export interface UserDecisionInput {
  /** The user as cached; undefined when it is gone. */
  user: User | undefined;
  /** The roles the user names that exist, by name. */
  roles: ReadonlyMap<string, Role>;
}

export type UserPlan = { action: "none" } | { action: "writeStatus"; status: UserStatus };

/** What a role grants; a role whose permissions do not parse grants nothing (as the authorizer reads it). */
export const grantsOf = (role: Role): PermissionSet => permissionsOrEmpty(role.spec?.permissions);

const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");

export function decideUser(input: UserDecisionInput, now: number): UserPlan {
  const { user, roles } = input;
  // Gone or going: there is no status worth writing.
  if (!user || user.metadata.deletionTimestamp) return { action: "none" };
  const generation = user.metadata.generation;
  const named = [...new Set(user.spec?.roles ?? [])];
  const missing = named.filter((n) => !roles.has(n)).sort();
  const disabled = user.spec?.disabled === true;
  const existing = named.flatMap((n) => roles.get(n) ?? []);
  const granted = disabled ? PermissionSet.empty : existing.reduce((acc, role) => acc.union(grantsOf(role)), PermissionSet.empty);
  const wasDisabled = findCondition(user.status?.conditions, "Ready")?.reason === "Disabled";
  // Disabling ends every session issued so far: tokens older than sessionsRevokedAt are refused.
  const sessionsRevokedAt = disabled && !wasDisabled ? toRfc3339(now) : user.status?.sessionsRevokedAt;
  const withGeneration = (c: ConditionInput): ConditionInput => (generation !== undefined ? { ...c, observedGeneration: generation } : c);
  const conditions = [rolesResolved(named, missing), ready({ disabled, missing, sessionsRevokedAt })].map(withGeneration);
  return {
    action: "writeStatus",
    status: {
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      missingRoles: missing,
      effectivePermissions: granted.pairs(),
      ...(sessionsRevokedAt ? { sessionsRevokedAt } : {}),
      // Written by the identity module on login; kept as read.
      ...(user.status?.lastLoginTime ? { lastLoginTime: user.status.lastLoginTime } : {}),
      conditions: setConditions(user.status?.conditions, conditions, toRfc3339(now)),
    },
  };
}

function rolesResolved(named: readonly string[], missing: readonly string[]): ConditionInput {
  const type = "RolesResolved";
  // A named role does not exist: name every missing one and say how to fix it.
  if (missing.length > 0) {
    const which = missing.length === 1 ? `role ${quoted(missing)} does not exist` : `roles ${quoted(missing)} do not exist`;
    return { type, status: "False", reason: "RoleNotFound", message: `${which}; create ${missing.length === 1 ? "it" : "them"} or remove ${missing.length === 1 ? "it" : "them"} from spec.roles` };
  }
  // No roles at all is resolved, trivially.
  if (named.length === 0) return { type, status: "True", reason: "NoRoles", message: "the user names no roles" };
  return { type, status: "True", reason: "AllRolesFound", message: `all ${named.length} ${named.length === 1 ? "role exists" : "roles exist"}` };
}

function ready(opts: { disabled: boolean; missing: readonly string[]; sessionsRevokedAt: string | undefined }): ConditionInput {
  const type = "Ready";
  // Disabled wins: the user cannot log in whatever their roles.
  if (opts.disabled) {
    const since = opts.sessionsRevokedAt ? `; sessions issued before ${opts.sessionsRevokedAt} are revoked` : "";
    return { type, status: "False", reason: "Disabled", message: `the user is disabled and cannot log in${since}` };
  }
  // A missing role: the user holds less than spec.roles says.
  if (opts.missing.length > 0) return { type, status: "False", reason: "RoleNotFound", message: `missing ${opts.missing.length === 1 ? "role" : "roles"} ${quoted(opts.missing)}` };
  return { type, status: "True", reason: "Ready", message: "the user's roles all exist" };
}
