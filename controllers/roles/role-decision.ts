// The roles controller's decision, pure: a Role's permissions checked against the grammar and expanded
// into single resource:action pairs, and a Ready condition that says whether the role grants them.

import { toRfc3339 } from "../../api/machinery/clock.js";
import { PermissionSet, permissionError } from "../../api/rbac/permissions.js";
import type { Role, RoleStatus } from "../../api/types/role.js";
import { setCondition, type ConditionInput } from "../../api/machinery/conditions.js";

export interface RoleDecisionInput {
  /** The role as cached; undefined when it is gone. */
  role: Role | undefined;
}

export type RolePlan = { action: "none" } | { action: "writeStatus"; status: RoleStatus };

interface Problem {
  field: string;
  message: string;
}

/** The permissions that do not parse, with their field paths. */
export function permissionProblems(permissions: readonly string[]): Problem[] {
  return permissions.flatMap((text, i) => {
    const message = permissionError(text);
    return message ? [{ field: `spec.permissions[${i}]`, message }] : [];
  });
}

export function decideRole(input: RoleDecisionInput, now: number): RolePlan {
  const { role } = input;
  // Gone or going: there is no status worth writing.
  if (!role || role.metadata.deletionTimestamp) return { action: "none" };
  const generation = role.metadata.generation;
  const permissions = role.spec?.permissions ?? [];
  const problems = permissionProblems(permissions);
  // A role with a permission that does not parse grants nothing (as the authorizer reads it).
  const resolved = problems.length === 0 ? PermissionSet.parse(permissions).pairs() : [];
  const ready = readyCondition(problems, resolved.length);
  return {
    action: "writeStatus",
    status: {
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      resolvedPermissions: resolved,
      conditions: setCondition(role.status?.conditions, { ...ready, ...(generation !== undefined ? { observedGeneration: generation } : {}) }, toRfc3339(now)),
    },
  };
}

function readyCondition(problems: readonly Problem[], granted: number): ConditionInput {
  // A permission outside the grammar: say which and why; the role grants nothing until it is fixed.
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.field}: ${p.message}`).join("; ");
    return { type: "Ready", status: "False", reason: "InvalidPermission", message: `the role grants nothing until its permissions are fixed: ${list}` };
  }
  // Every permission parses: the role grants its resolved pairs.
  return { type: "Ready", status: "True", reason: "Resolved", message: `the role grants ${granted} resource:action ${granted === 1 ? "permission" : "permissions"}` };
}
