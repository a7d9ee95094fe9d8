import { describe, expect, it } from "vitest";
import type { Condition } from "../../api/machinery/meta.js";
import type { Role } from "../../api/types/role.js";
import type { User } from "../../api/types/user.js";
import { decideUser, type UserPlan } from "./user-decision.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const NOW_TEXT = "2026-03-01T12:00:00Z";
const EARLIER = "2026-02-01T00:00:00Z";

type Modifier = (u: User) => void;
function user(...mods: Modifier[]): User {
  const u: User = { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "alice", generation: 2 }, spec: { email: "alice@example.com", roles: ["operator"] } };
  for (const mod of mods) mod(u);
  return u;
}
const roles = (...r: string[]): Modifier => (u) => void (u.spec = { ...u.spec, roles: r });
const disabled: Modifier = (u) => void (u.spec = { ...u.spec, disabled: true });
const deleting: Modifier = (u) => void (u.metadata.deletionTimestamp = EARLIER);
const status = (s: User["status"]): Modifier => (u) => void (u.status = s);
const cond = (type: string, s: Condition["status"], reason: string): Condition => ({ type, status: s, reason, message: "", lastTransitionTime: EARLIER });

const role = (name: string, ...permissions: string[]): [string, Role] => [name, { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { permissions } }];
const existing = (...r: [string, Role][]) => new Map(r);
const OPERATOR = role("operator", "workloads:*", "nodes:read,list");
const VIEWER = role("viewer", "*:read,list");
const ML = role("ml-engineer", "workloads:*", "secrets:read");
const BROKEN = role("broken", "pods:read");

const statusOf = (plan: UserPlan) => (plan.action === "writeStatus" ? plan.status : expect.fail("expected a status to write"));
const condition = (plan: UserPlan, type: string) => statusOf(plan).conditions?.find((c) => c.type === type);

describe("decideUser", () => {
  it.each<[string, User | undefined]>([
    ["does nothing for a user that is gone", undefined],
    ["does nothing for a user being deleted", user(deleting)],
  ])("%s", (_name, input) => {
    expect(decideUser({ user: input, roles: existing(OPERATOR) }, NOW)).toEqual({ action: "none" });
  });

  it.each<[string, User, Map<string, Role>, { missing: string[]; rolesResolved: [string, string]; ready: [string, string]; message?: string }]>([
    ["is Ready with every role present", user(), existing(OPERATOR), { missing: [], rolesResolved: ["True", "AllRolesFound"], ready: ["True", "Ready"] }],
    ["is Ready with no roles at all", user(roles()), existing(), { missing: [], rolesResolved: ["True", "NoRoles"], ready: ["True", "Ready"] }],
    ["sets RolesResolved False with RoleNotFound naming the missing role", user(roles("operator", "ml-engineer")), existing(OPERATOR), { missing: ["ml-engineer"], rolesResolved: ["False", "RoleNotFound"], ready: ["False", "RoleNotFound"], message: 'role "ml-engineer" does not exist; create it or remove it from spec.roles' }],
    ["names every missing role, sorted", user(roles("zeta", "operator", "alpha")), existing(OPERATOR), { missing: ["alpha", "zeta"], rolesResolved: ["False", "RoleNotFound"], ready: ["False", "RoleNotFound"], message: 'roles "alpha", "zeta" do not exist; create them or remove them from spec.roles' }],
    ["lets Disabled win over a missing role for Ready", user(roles("ghost"), disabled), existing(), { missing: ["ghost"], rolesResolved: ["False", "RoleNotFound"], ready: ["False", "Disabled"] }],
    ["is not Ready while disabled", user(disabled), existing(OPERATOR), { missing: [], rolesResolved: ["True", "AllRolesFound"], ready: ["False", "Disabled"] }],
  ])("%s", (_name, input, roleMap, want) => {
    const plan = decideUser({ user: input, roles: roleMap }, NOW);
    expect(statusOf(plan).missingRoles).toEqual(want.missing);
    expect(condition(plan, "RolesResolved")).toMatchObject({ status: want.rolesResolved[0], reason: want.rolesResolved[1], observedGeneration: 2 });
    expect(condition(plan, "Ready")).toMatchObject({ status: want.ready[0], reason: want.ready[1], observedGeneration: 2 });
    if (want.message) expect(condition(plan, "RolesResolved")?.message).toBe(want.message);
  });

  it.each<[string, User, Map<string, Role>, string[]]>([
    ["grants the union of the roles' permissions", user(roles("operator", "ml-engineer")), existing(OPERATOR, ML), [...["admin", "create", "delete", "execute", "list", "read", "update", "write"].map((a) => `workloads:${a}`), "nodes:list", "nodes:read", "secrets:read"].sort()],
    ["grants what the existing roles give when one is missing", user(roles("operator", "ghost")), existing(OPERATOR), [...["admin", "create", "delete", "execute", "list", "read", "update", "write"].map((a) => `workloads:${a}`), "nodes:list", "nodes:read"].sort()],
    ["grants nothing from a role whose permissions do not parse", user(roles("broken")), existing(BROKEN), []],
    ["grants nothing while disabled", user(roles("viewer"), disabled), existing(VIEWER), []],
  ])("%s", (_name, input, roleMap, permissions) => {
    expect(statusOf(decideUser({ user: input, roles: roleMap }, NOW)).effectivePermissions).toEqual(permissions);
  });

  it.each<[string, User, string | undefined]>([
    ["revokes sessions now when the user becomes disabled", user(disabled, status({ conditions: [cond("Ready", "True", "Ready")] })), NOW_TEXT],
    ["revokes sessions of a user created disabled", user(disabled), NOW_TEXT],
    ["keeps the revocation time while the user stays disabled", user(disabled, status({ sessionsRevokedAt: EARLIER, conditions: [cond("Ready", "False", "Disabled")] })), EARLIER],
    ["keeps the revocation time after the user is enabled again", user(status({ sessionsRevokedAt: EARLIER, conditions: [cond("Ready", "False", "Disabled")] })), EARLIER],
    ["revokes nothing for an enabled user", user(), undefined],
  ])("%s", (_name, input, revokedAt) => {
    expect(statusOf(decideUser({ user: input, roles: existing(OPERATOR, VIEWER) }, NOW)).sessionsRevokedAt).toBe(revokedAt);
  });

  it.each<[string, User, string | undefined]>([
    ["keeps the lastLoginTime the identity module wrote", user(status({ lastLoginTime: EARLIER })), EARLIER],
    ["writes no lastLoginTime for a user who never logged in", user(), undefined],
  ])("%s", (_name, input, lastLogin) => {
    expect(statusOf(decideUser({ user: input, roles: existing(OPERATOR, VIEWER) }, NOW)).lastLoginTime).toBe(lastLogin);
  });

  it.each<[string, User, string]>([
    ["keeps lastTransitionTime while RolesResolved stays False", user(roles("ghost"), status({ conditions: [cond("RolesResolved", "False", "RoleNotFound")] })), EARLIER],
    ["moves lastTransitionTime when the missing role appears", user(status({ conditions: [cond("RolesResolved", "False", "RoleNotFound")] })), NOW_TEXT],
  ])("%s", (_name, input, transition) => {
    expect(condition(decideUser({ user: input, roles: existing(OPERATOR) }, NOW), "RolesResolved")?.lastTransitionTime).toBe(transition);
  });

  it("is stable: deciding again from its own status gives the same status", () => {
    const first = statusOf(decideUser({ user: user(disabled, roles("ghost")), roles: existing() }, NOW));
    expect(statusOf(decideUser({ user: user(disabled, roles("ghost"), status(first)), roles: existing() }, NOW + 60_000))).toEqual(first);
  });
});
