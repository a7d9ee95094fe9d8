import { describe, expect, it } from "vitest";
import type { Condition } from "../../api/machinery/meta.js";
import type { Role } from "../../api/types/role.js";
import { decideRole, type RolePlan } from "./role-decision.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const EARLIER = "2026-02-01T00:00:00Z";

type Modifier = (r: Role) => void;
function role(...mods: Modifier[]): Role {
  const r: Role = { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "ml-engineer", generation: 3, resourceVersion: "10" }, spec: { permissions: ["workloads:*"] } };
  for (const mod of mods) mod(r);
  return r;
}
const permissions = (...p: string[]): Modifier => (r) => void (r.spec = { permissions: p });
const deleting: Modifier = (r) => void (r.metadata.deletionTimestamp = EARLIER);
const conditions = (...c: Condition[]): Modifier => (r) => void (r.status = { ...r.status, conditions: c });
const ready = (status: Condition["status"], reason = "Resolved"): Condition => ({ type: "Ready", status, reason, message: "", lastTransitionTime: EARLIER });

const ALL_ACTIONS = ["admin", "create", "delete", "execute", "list", "read", "update", "write"];
const statusOf = (plan: RolePlan) => (plan.action === "writeStatus" ? plan.status : expect.fail("expected a status to write"));

describe("decideRole", () => {
  it.each<[string, Role | undefined]>([
    ["does nothing for a role that is gone", undefined],
    ["does nothing for a role being deleted", role(deleting)],
  ])("%s", (_name, input) => {
    expect(decideRole({ role: input }, NOW)).toEqual({ action: "none" });
  });

  it.each<[string, Role, string[]]>([
    ["expands a list of actions into single pairs, sorted", role(permissions("nodes:read,list")), ["nodes:list", "nodes:read"]],
    ["expands a wildcard action into all eight actions", role(permissions("workloads:*")), ALL_ACTIONS.map((a) => `workloads:${a}`)],
    ["expands admin into every action, as admin implies them", role(permissions("secrets:admin")), ALL_ACTIONS.map((a) => `secrets:${a}`)],
    ["expands a wildcard resource into every resource", role(permissions("*:read")), ["apikeys", "audit", "blockrules", "certificates", "logs", "metrics", "molt", "nodes", "roles", "secretpolicies", "secrets", "users", "workloads"].map((r) => `${r}:read`)],
    ["merges permissions that overlap", role(permissions("nodes:read", "nodes:read,list", "nodes:list")), ["nodes:list", "nodes:read"]],
    ["resolves the guide's node role", role(permissions("metrics:write", "logs:write", "workloads:execute")), ["logs:write", "metrics:write", "workloads:execute"]],
  ])("%s", (_name, input, resolved) => {
    const status = statusOf(decideRole({ role: input }, NOW));
    expect(status.resolvedPermissions).toEqual(resolved);
    expect(status.conditions).toEqual([
      { type: "Ready", status: "True", reason: "Resolved", message: `the role grants ${resolved.length} resource:action ${resolved.length === 1 ? "permission" : "permissions"}`, observedGeneration: 3, lastTransitionTime: "2026-03-01T12:00:00Z" },
    ]);
  });

  it("resolves *:* into all 104 pairs", () => {
    expect(statusOf(decideRole({ role: role(permissions("*:*")) }, NOW)).resolvedPermissions).toHaveLength(13 * 8);
  });

  it.each<[string, Role, string[]]>([
    ["sets Ready False naming an unknown resource by its field path", role(permissions("nodes:read", "pods:read")), ["spec.permissions[1]", 'unknown resource "pods"']],
    ["sets Ready False naming an unknown action by its field path", role(permissions("nodes:fly")), ["spec.permissions[0]", 'unknown action "fly"']],
    ["sets Ready False for a permission without an action", role(permissions("nodes")), ["spec.permissions[0]", "is not resource:action"]],
    ["names every invalid permission, not only the first", role(permissions("pods:read", "nodes:read", "nodes:fly")), ["spec.permissions[0]", "spec.permissions[2]"]],
  ])("%s, and grants nothing", (_name, input, mentions) => {
    const status = statusOf(decideRole({ role: input }, NOW));
    expect(status.resolvedPermissions).toEqual([]);
    const condition = status.conditions?.[0];
    expect(condition).toMatchObject({ type: "Ready", status: "False", reason: "InvalidPermission", observedGeneration: 3 });
    for (const text of mentions) expect(condition?.message).toContain(text);
  });

  it.each<[string, Role, string]>([
    ["keeps lastTransitionTime while Ready stays True", role(conditions(ready("True"))), EARLIER],
    ["moves lastTransitionTime when Ready flips to True", role(conditions(ready("False", "InvalidPermission"))), "2026-03-01T12:00:00Z"],
    ["moves lastTransitionTime when Ready flips to False", role(permissions("pods:read"), conditions(ready("True"))), "2026-03-01T12:00:00Z"],
  ])("%s", (_name, input, transition) => {
    expect(statusOf(decideRole({ role: input }, NOW)).conditions?.find((c) => c.type === "Ready")?.lastTransitionTime).toBe(transition);
  });

  it("keeps conditions of other types as they are", () => {
    const other: Condition = { type: "Audited", status: "True", reason: "Seen", message: "", lastTransitionTime: EARLIER };
    expect(statusOf(decideRole({ role: role(conditions(other)) }, NOW)).conditions?.map((c) => c.type)).toEqual(["Audited", "Ready"]);
  });

  it("records the generation it observed", () => {
    expect(statusOf(decideRole({ role: role() }, NOW)).observedGeneration).toBe(3);
  });

  it("is stable: deciding again from its own status gives the same status", () => {
    const first = statusOf(decideRole({ role: role() }, NOW));
    expect(statusOf(decideRole({ role: role((r) => void (r.status = first)) }, NOW + 60_000))).toEqual(first);
  });
});
