import { describe, expect, it } from "vitest";
import type { Condition } from "../../api/machinery/meta.js";
import type { Secret } from "../../api/types/secret.js";
import type { SecretPolicy, SecretPolicySpec } from "../../api/types/secret-policy.js";
import { decideSecretPolicy, type SecretPolicyPlan } from "./secret-policy-decision.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const NOW_TEXT = "2026-03-01T12:00:00Z";
const EARLIER = "2026-02-01T00:00:00Z";

type SecretModifier = (s: Secret) => void;
function secret(...mods: SecretModifier[]): Secret {
  const s: Secret = { apiVersion: "security.clawbernetes.com/v1", kind: "Secret", metadata: { name: "database-password" }, spec: { allowedWorkloads: ["api-server", "worker"], valueFrom: { generate: {} } } };
  for (const mod of mods) mod(s);
  return s;
}
const secretDeleting: SecretModifier = (s) => void (s.metadata.deletionTimestamp = EARLIER);

type PolicyModifier = (p: SecretPolicy) => void;
function policy(name: string, spec: Partial<SecretPolicySpec> = {}, ...mods: PolicyModifier[]): SecretPolicy {
  const p: SecretPolicy = { apiVersion: "security.clawbernetes.com/v1", kind: "SecretPolicy", metadata: { name, generation: 2 }, spec: { secret: "database-password", ...spec } };
  for (const mod of mods) mod(p);
  return p;
}
const deleting: PolicyModifier = (p) => void (p.metadata.deletionTimestamp = EARLIER);
const conditions = (...c: Condition[]): PolicyModifier => (p) => void (p.status = { ...p.status, conditions: c });

// The guide's policy, as manifests/secretpolicies.yaml writes it.
const GUIDE = policy("database-password", { allowWorkloads: ["api-server", "worker", "migration-job"], allowLabels: { env: "production", team: "backend" }, denyWorkloads: ["debug-container"] });

const statusOf = (plan: SecretPolicyPlan) => (plan.action === "writeStatus" ? plan.status : expect.fail("expected a status to write"));
const conditionOf = (plan: SecretPolicyPlan, type: string) => statusOf(plan).conditions?.find((c) => c.type === type);

describe("decideSecretPolicy", () => {
  it.each<[string, SecretPolicy | undefined]>([
    ["does nothing for a policy that is gone", undefined],
    ["does nothing for a policy being deleted", policy("p", {}, deleting)],
  ])("%s", (_name, p) => {
    expect(decideSecretPolicy({ policy: p, secret: secret(), policies: [] }, NOW)).toEqual({ action: "none" });
  });

  it("describes the guide's policy: the secret exists, the names allowed, and the whole rule in Ready", () => {
    expect(statusOf(decideSecretPolicy({ policy: GUIDE, secret: secret(), policies: [GUIDE] }, NOW))).toEqual({
      observedGeneration: 2,
      secretExists: true,
      effectiveAllowedWorkloads: ["api-server", "worker", "migration-job"],
      conditions: [
        { type: "SecretFound", status: "True", reason: "SecretFound", message: 'Secret "database-password" exists', observedGeneration: 2, lastTransitionTime: NOW_TEXT },
        {
          type: "Ready",
          status: "True",
          reason: "Applied",
          message: 'applies to Secret "database-password": allow workloads api-server, worker, migration-job; allow labels env=production,team=backend; deny debug-container',
          observedGeneration: 2,
          lastTransitionTime: NOW_TEXT,
        },
      ],
    });
  });

  it.each<[string, SecretPolicy, Secret | undefined, SecretPolicy[], { exists: boolean; found: [string, string]; ready: [string, string]; effective: string[]; message: string }]>([
    ["says a missing secret is missing, naming it, and allows nothing", GUIDE, undefined, [GUIDE], { exists: false, found: ["False", "SecretNotFound"], ready: ["False", "SecretNotFound"], effective: [], message: 'Secret "database-password" does not exist; this policy applies once it is created' }],
    ["is not Ready while its secret is being deleted", GUIDE, secret(secretDeleting), [GUIDE], { exists: true, found: ["True", "SecretFound"], ready: ["False", "SecretDeleting"], effective: [], message: 'Secret "database-password" is being deleted and releases nothing' }],
    ["shows the rule of every policy of the secret, a sibling's deny included", policy("a", { allowWorkloads: ["migration-job"] }), secret(), [policy("b", { denyWorkloads: ["worker"] })], { exists: true, found: ["True", "SecretFound"], ready: ["True", "Applied"], effective: ["api-server", "migration-job"], message: 'applies to Secret "database-password": allow workloads api-server, worker, migration-job; deny worker' }],
    ["reads its own spec, not a stale copy in the list", policy("a", { denyWorkloads: ["*"] }), secret(), [policy("a", { allowWorkloads: ["x"] })], { exists: true, found: ["True", "SecretFound"], ready: ["True", "Applied"], effective: [], message: 'applies to Secret "database-password": allow workloads api-server, worker; deny every workload' }],
    ["ignores policies for other secrets", policy("a"), secret(), [policy("o", { secret: "api-key", denyWorkloads: ["*"] })], { exists: true, found: ["True", "SecretFound"], ready: ["True", "Applied"], effective: ["api-server", "worker"], message: 'applies to Secret "database-password": allow workloads api-server, worker' }],
  ])("%s", (_name, p, s, policies, want) => {
    const plan = decideSecretPolicy({ policy: p, secret: s, policies }, NOW);
    expect(statusOf(plan).secretExists).toBe(want.exists);
    expect(statusOf(plan).effectiveAllowedWorkloads).toEqual(want.effective);
    expect(conditionOf(plan, "SecretFound")).toMatchObject({ status: want.found[0], reason: want.found[1], observedGeneration: 2 });
    expect(conditionOf(plan, "Ready")).toMatchObject({ status: want.ready[0], reason: want.ready[1], observedGeneration: 2, message: want.message });
  });

  it.each<[string, Secret | undefined, string]>([
    ["keeps Ready's lastTransitionTime while the secret stays missing", undefined, EARLIER],
    ["moves Ready's lastTransitionTime when the secret appears", secret(), NOW_TEXT],
  ])("%s", (_name, s, transition) => {
    const waiting = policy("p", {}, conditions({ type: "Ready", status: "False", reason: "SecretNotFound", message: "", lastTransitionTime: EARLIER }));
    expect(conditionOf(decideSecretPolicy({ policy: waiting, secret: s, policies: [] }, NOW), "Ready")?.lastTransitionTime).toBe(transition);
  });

  it("is stable: deciding again from its own status gives the same status", () => {
    const first = statusOf(decideSecretPolicy({ policy: GUIDE, secret: undefined, policies: [] }, NOW));
    expect(statusOf(decideSecretPolicy({ policy: { ...GUIDE, status: first }, secret: undefined, policies: [] }, NOW + 60_000))).toEqual(first);
  });
});
