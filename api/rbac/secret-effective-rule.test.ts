import { describe, expect, it } from "vitest";
import type { Secret } from "../types/secret.js";
import type { SecretPolicy } from "../types/secret-policy.js";
import { allowed, deletingPolicy, deletingSecret, policy, secret, type PolicyModifier } from "./testing/secret-fixtures.js";
import { decideAccess } from "./secret-access-decision.js";
import { describeEffectiveRule, secretPolicyConditions, type EffectiveRule } from "./secret-effective-rule.js";

const generation = (g: number): PolicyModifier => (p) => void (p.metadata.generation = g);

// The guide's database-password, as manifests/secrets.yaml and manifests/secretpolicies.yaml write it.
const GUIDE_SECRET = secret("database-password", allowed("api-server", "worker"));
const GUIDE_POLICY = policy("database-password", {
  secret: "database-password",
  allowWorkloads: ["api-server", "worker", "migration-job"],
  allowLabels: { env: "production", team: "backend" },
  denyWorkloads: ["debug-container"],
});

const DB = secret("db", allowed("api-server", "worker"));

describe("describeEffectiveRule", () => {
  it("describes the guide's database-password as data and in one line", () => {
    expect(describeEffectiveRule({ secretName: "database-password", secret: GUIDE_SECRET, policies: [GUIDE_POLICY] })).toEqual<EffectiveRule>({
      secret: "database-password",
      releases: true,
      allowWorkloads: ["api-server", "worker", "migration-job"],
      allowLabels: [{ env: "production", team: "backend" }],
      denyWorkloads: ["debug-container"],
      effectiveAllowedWorkloads: ["api-server", "worker", "migration-job"],
      summary: "allow workloads api-server, worker, migration-job; allow labels env=production,team=backend; deny debug-container",
    });
  });

  it.each<[string, Secret | undefined, SecretPolicy[], string, string[]]>([
    ["lets the secret's list alone decide when there is no policy", DB, [], "allow workloads api-server, worker", ["api-server", "worker"]],
    ["says a secret with an empty list allows no workload", secret("db", allowed()), [], "allow no workload", []],
    ["says a secret without allowedWorkloads allows no workload", secret("db"), [], "allow no workload", []],
    ["says every workload for *", secret("db", allowed("api-server", "*")), [], "allow every workload", ["*"]],
    ["keeps * in the effective list when only names are denied, and says who is denied", secret("db", allowed("*")), [policy("p", { denyWorkloads: ["debug"] })], "allow every workload; deny debug", ["*"]],
    ["empties the effective list when * is denied", DB, [policy("p", { denyWorkloads: ["*"] })], "allow workloads api-server, worker; deny every workload", []],
    ["removes a denied name from the effective list", DB, [policy("p", { denyWorkloads: ["worker"] })], "allow workloads api-server, worker; deny worker", ["api-server"]],
    ["adds names from every policy of the secret, by policy name, without repeats", DB, [policy("b", { allowWorkloads: ["z", "worker"] }), policy("a", { allowWorkloads: ["y"] })], "allow workloads api-server, worker, y, z", ["api-server", "worker", "y", "z"]],
    ["joins several label rules with or, since each policy's labels allow on their own", secret("db", allowed()), [policy("a", { allowLabels: { team: "ml" } }), policy("b", { allowLabels: { env: "production", team: "backend" } })], "allow labels team=ml or env=production,team=backend", []],
    ["leaves an empty allowLabels out, as it matches nothing", secret("db", allowed()), [policy("p", { allowLabels: {} })], "allow no workload", []],
    ["ignores policies for other secrets", DB, [policy("o", { secret: "api-key", allowWorkloads: ["x"], denyWorkloads: ["*"] })], "allow workloads api-server, worker", ["api-server", "worker"]],
    ["drops the allows of a policy being deleted but keeps its denies", DB, [policy("p", { allowWorkloads: ["x"], allowLabels: { team: "ml" }, denyWorkloads: ["worker"] }, deletingPolicy)], "allow workloads api-server, worker; deny worker", ["api-server"]],
    ["says a missing secret releases nothing", undefined, [policy("p", { allowWorkloads: ["*"] })], 'secret "db" does not exist: nothing is released', []],
    ["says a secret being deleted releases nothing", secret("db", allowed("*"), deletingSecret), [], 'secret "db" is being deleted: nothing is released', []],
  ])("%s", (_name, s, policies, summary, effective) => {
    const rule = describeEffectiveRule({ secretName: "db", secret: s, policies });
    expect(rule.summary).toBe(summary);
    expect(rule.effectiveAllowedWorkloads).toEqual(effective);
  });

  it("reports releases false for a missing secret and one being deleted", () => {
    expect(describeEffectiveRule({ secretName: "db", secret: undefined, policies: [] }).releases).toBe(false);
    expect(describeEffectiveRule({ secretName: "db", secret: secret("db", deletingSecret), policies: [] }).releases).toBe(false);
    expect(describeEffectiveRule({ secretName: "db", secret: DB, policies: [] }).releases).toBe(true);
  });

  it("copies allowLabels, so the caller cannot change a policy through the result", () => {
    const p = policy("p", { allowLabels: { env: "production" } });
    describeEffectiveRule({ secretName: "db", secret: DB, policies: [p] }).allowLabels[0]!.env = "changed";
    expect(p.spec?.allowLabels).toEqual({ env: "production" });
  });

  it("throws when the secret passed is not the one named", () => {
    expect(() => describeEffectiveRule({ secretName: "db", secret: secret("other"), policies: [] })).toThrow('the secret passed is "other", not "db"');
  });

  // Status must never promise what the release endpoint refuses, nor hide what it grants.
  it("agrees with decideAccess for every workload name over every combination of rules", () => {
    const secrets: (Secret | undefined)[] = [undefined, DB, secret("db", allowed()), secret("db", allowed("*")), secret("db", allowed("*"), deletingSecret)];
    const policySets: SecretPolicy[][] = [
      [],
      [policy("p", { allowWorkloads: ["x"] })],
      [policy("p", { allowWorkloads: ["*"], denyWorkloads: ["worker"] })],
      [policy("p", { denyWorkloads: ["*"] })],
      [policy("a", { allowWorkloads: ["x"] }), policy("b", { denyWorkloads: ["x", "api-server"] })],
      [policy("p", { allowWorkloads: ["x"], denyWorkloads: ["api-server"] }, deletingPolicy)],
      [policy("o", { secret: "other", allowWorkloads: ["*"], denyWorkloads: ["*"] })],
    ];
    for (const s of secrets) {
      for (const policies of policySets) {
        const rule = describeEffectiveRule({ secretName: "db", secret: s, policies });
        for (const name of ["api-server", "worker", "x", "y"]) {
          const decision = decideAccess({ secretName: "db", secret: s, policies, workload: { name } });
          const denied = rule.denyWorkloads.includes(name) || rule.denyWorkloads.includes("*");
          const byName = rule.allowWorkloads.includes(name) || rule.allowWorkloads.includes("*");
          expect(decision.allowed, `${name} with ${s?.metadata.name ?? "no secret"} and ${JSON.stringify(policies.map((p) => p.spec))}`).toBe(rule.releases && !denied && byName);
        }
      }
    }
  });
});

describe("secretPolicyConditions", () => {
  it("says the secret is missing, naming it, in SecretFound and Ready", () => {
    expect(secretPolicyConditions({ policy: policy("p", {}, generation(4)), secret: undefined })).toEqual([
      { type: "SecretFound", status: "False", reason: "SecretNotFound", message: 'Secret "db" does not exist; this policy applies once it is created', observedGeneration: 4 },
      { type: "Ready", status: "False", reason: "SecretNotFound", message: 'Secret "db" does not exist; this policy applies once it is created', observedGeneration: 4 },
    ]);
  });

  it("sets both True when the secret exists", () => {
    expect(secretPolicyConditions({ policy: policy("p", {}, generation(2)), secret: DB })).toEqual([
      { type: "SecretFound", status: "True", reason: "SecretFound", message: 'Secret "db" exists', observedGeneration: 2 },
      { type: "Ready", status: "True", reason: "Applied", message: 'applies to Secret "db"', observedGeneration: 2 },
    ]);
  });

  it("sets Ready False when the secret is being deleted, as it releases nothing", () => {
    expect(secretPolicyConditions({ policy: policy("p"), secret: secret("db", deletingSecret) })).toEqual([
      { type: "SecretFound", status: "True", reason: "SecretFound", message: 'Secret "db" exists' },
      { type: "Ready", status: "False", reason: "SecretDeleting", message: 'Secret "db" is being deleted and releases nothing' },
    ]);
  });

  it("leaves observedGeneration out when the policy has none", () => {
    for (const c of secretPolicyConditions({ policy: policy("p"), secret: DB })) expect(c).not.toHaveProperty("observedGeneration");
  });

  it("throws when the secret passed is not the one the policy names", () => {
    expect(() => secretPolicyConditions({ policy: policy("p"), secret: secret("other") })).toThrow('the secret passed is "other", not "db"');
  });
});
