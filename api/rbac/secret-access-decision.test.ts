import { describe, expect, it } from "vitest";
import type { Secret } from "../types/secret.js";
import type { SecretPolicy } from "../types/secret-policy.js";
import { allowed, deletingPolicy, deletingSecret, policy, secret, type SecretModifier } from "./testing/secret-fixtures.js";
import { decideAccess, type AccessDecision, type AccessReason } from "./secret-access-decision.js";
import type { Workload } from "./workload.js";

const noSpec: SecretModifier = (s) => void delete s.spec;

/** A policy of secret "db"; `deleting` marks it for deletion. */
const policyOf = (name: string, spec: Parameters<typeof policy>[1] = {}, deleting = { deleting: false }): SecretPolicy => policy(name, spec, ...(deleting.deleting ? [deletingPolicy] : []));
const workload = (name: string, labels?: Record<string, string>): Workload => (labels ? { name, labels } : { name });

const DB = secret("db", allowed("api-server", "worker"));
const PROD_BACKEND = { env: "production", team: "backend" };

interface Case {
  secret?: Secret | undefined;
  policies?: SecretPolicy[];
  workload: Workload;
  reason: AccessReason;
  message: string;
}

function decide(c: Case): AccessDecision {
  return decideAccess({ secretName: "db", secret: "secret" in c ? c.secret : DB, policies: c.policies ?? [], workload: c.workload });
}

const cases: [string, Case][] = [
  // allow by name and by *
  ["allows a workload the secret names", { workload: workload("api-server"), reason: "AllowedBySecret", message: 'allowed by Secret "db" spec.allowedWorkloads: "api-server"' }],
  ["allows any workload when the secret allows *", { secret: secret("db", allowed("*")), workload: workload("anything"), reason: "AllowedBySecret", message: 'allowed by Secret "db" spec.allowedWorkloads: "*"' }],
  ["names the workload's own entry rather than * when the secret has both", { secret: secret("db", allowed("*", "worker")), workload: workload("worker"), reason: "AllowedBySecret", message: 'allowed by Secret "db" spec.allowedWorkloads: "worker"' }],
  ["allows a workload a policy names", { policies: [policyOf("p", { allowWorkloads: ["migration-job"] })], workload: workload("migration-job"), reason: "AllowedByPolicy", message: 'allowed by SecretPolicy "p" spec.allowWorkloads: "migration-job"' }],
  ["allows any workload when a policy allows *", { secret: secret("db", allowed()), policies: [policyOf("p", { allowWorkloads: ["*"] })], workload: workload("x"), reason: "AllowedByPolicy", message: 'allowed by SecretPolicy "p" spec.allowWorkloads: "*"' }],
  ["names the secret's rule when both the secret and a policy allow", { policies: [policyOf("p", { allowWorkloads: ["api-server"] })], workload: workload("api-server"), reason: "AllowedBySecret", message: 'allowed by Secret "db" spec.allowedWorkloads: "api-server"' }],
  // allow by labels
  ["allows a workload with every label of allowLabels", { policies: [policyOf("p", { allowLabels: PROD_BACKEND })], workload: workload("x", PROD_BACKEND), reason: "AllowedByLabels", message: 'allowed by SecretPolicy "p" spec.allowLabels env=production,team=backend' }],
  ["allows a workload with more labels than allowLabels asks", { policies: [policyOf("p", { allowLabels: PROD_BACKEND })], workload: workload("x", { ...PROD_BACKEND, tier: "web" }), reason: "AllowedByLabels", message: 'allowed by SecretPolicy "p" spec.allowLabels env=production,team=backend' }],
  ["writes the labels sorted by key whatever order the policy lists them", { policies: [policyOf("p", { allowLabels: { team: "backend", env: "production" } })], workload: workload("x", PROD_BACKEND), reason: "AllowedByLabels", message: 'allowed by SecretPolicy "p" spec.allowLabels env=production,team=backend' }],
  ["allows by labels when another policy's labels do not match", { policies: [policyOf("a", { allowLabels: { team: "ml" } }), policyOf("b", { allowLabels: { env: "production" } })], workload: workload("x", PROD_BACKEND), reason: "AllowedByLabels", message: 'allowed by SecretPolicy "b" spec.allowLabels env=production' }],
  ["matches an empty label value only by an empty label value", { policies: [policyOf("p", { allowLabels: { canary: "" } })], workload: workload("x", { canary: "" }), reason: "AllowedByLabels", message: 'allowed by SecretPolicy "p" spec.allowLabels canary=' }],
  ["refuses a workload missing one of the labels", { policies: [policyOf("p", { allowLabels: PROD_BACKEND })], workload: workload("x", { env: "production" }), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "p" allows labels env=production,team=backend' }],
  ["refuses a workload with no labels", { policies: [policyOf("p", { allowLabels: PROD_BACKEND })], workload: workload("x"), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "p" allows labels env=production,team=backend' }],
  ["compares label values exactly: case matters", { policies: [policyOf("p", { allowLabels: { env: "production" } })], workload: workload("x", { env: "Production" }), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "p" allows labels env=production' }],
  ["compares label values exactly: no prefix match", { policies: [policyOf("p", { allowLabels: { env: "prod" } })], workload: workload("x", { env: "production" }), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "p" allows labels env=prod' }],
  ["refuses a workload whose label is empty where the policy wants a value", { policies: [policyOf("p", { allowLabels: { env: "production" } })], workload: workload("x", { env: "" }), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "p" allows labels env=production' }],
  ["never lets an empty allowLabels match everything", { policies: [policyOf("p", { allowLabels: {} })], workload: workload("x", PROD_BACKEND), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "p" allows no workload' }],
  ["does not match a label the workload only inherits", { policies: [policyOf("p", { allowLabels: { env: "production" } })], workload: workload("x", Object.create({ env: "production" }) as Record<string, string>), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "p" allows labels env=production' }],
  // deny wins
  ["denies a workload a policy names", { policies: [policyOf("database-password", { denyWorkloads: ["debug-container"] })], workload: workload("debug-container"), reason: "Denied", message: 'denied by SecretPolicy "database-password" spec.denyWorkloads: "debug-container"' }],
  ["denies by name over the secret's *", { secret: secret("db", allowed("*")), policies: [policyOf("p", { denyWorkloads: ["debug-container"] })], workload: workload("debug-container"), reason: "Denied", message: 'denied by SecretPolicy "p" spec.denyWorkloads: "debug-container"' }],
  ["denies by name over the secret naming it", { policies: [policyOf("p", { denyWorkloads: ["worker"] })], workload: workload("worker"), reason: "Denied", message: 'denied by SecretPolicy "p" spec.denyWorkloads: "worker"' }],
  ["denies by name over the same policy's *", { policies: [policyOf("p", { allowWorkloads: ["*"], denyWorkloads: ["debug-container"] })], workload: workload("debug-container"), reason: "Denied", message: 'denied by SecretPolicy "p" spec.denyWorkloads: "debug-container"' }],
  ["denies by name over the same policy's labels", { policies: [policyOf("p", { allowLabels: PROD_BACKEND, denyWorkloads: ["debug-container"] })], workload: workload("debug-container", PROD_BACKEND), reason: "Denied", message: 'denied by SecretPolicy "p" spec.denyWorkloads: "debug-container"' }],
  ["denies in one policy over an allow in another", { policies: [policyOf("allow", { allowWorkloads: ["x"] }), policyOf("deny", { denyWorkloads: ["x"] })], workload: workload("x"), reason: "Denied", message: 'denied by SecretPolicy "deny" spec.denyWorkloads: "x"' }],
  ["denies in one policy over labels in another", { policies: [policyOf("a-labels", { allowLabels: PROD_BACKEND }), policyOf("b-deny", { denyWorkloads: ["x"] })], workload: workload("x", PROD_BACKEND), reason: "Denied", message: 'denied by SecretPolicy "b-deny" spec.denyWorkloads: "x"' }],
  ["denies every workload when a policy denies *", { policies: [policyOf("lockdown", { denyWorkloads: ["*"] })], workload: workload("api-server"), reason: "Denied", message: 'denied by SecretPolicy "lockdown" spec.denyWorkloads: "*"' }],
  ["names the first denying policy by name, whatever the order given", { policies: [policyOf("z", { denyWorkloads: ["x"] }), policyOf("m", { denyWorkloads: ["*"] })], workload: workload("x"), reason: "Denied", message: 'denied by SecretPolicy "m" spec.denyWorkloads: "*"' }],
  ["keeps the deny of a policy being deleted until it is gone", { policies: [policyOf("p", { denyWorkloads: ["worker"] }, { deleting: true })], workload: workload("worker"), reason: "Denied", message: 'denied by SecretPolicy "p" spec.denyWorkloads: "worker"' }],
  // what a policy cannot do
  ["ignores the allow of a policy being deleted", { policies: [policyOf("p", { allowWorkloads: ["x"] }, { deleting: true })], workload: workload("x"), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "p" is being deleted and allows nothing' }],
  ["ignores the labels of a policy being deleted", { policies: [policyOf("p", { allowLabels: PROD_BACKEND }, { deleting: true })], workload: workload("x", PROD_BACKEND), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "p" is being deleted and allows nothing' }],
  ["ignores a policy that allows for another secret", { policies: [policyOf("other", { secret: "api-key", allowWorkloads: ["x"] })], workload: workload("x"), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; no SecretPolicy names it' }],
  ["ignores a policy that denies for another secret", { policies: [policyOf("other", { secret: "api-key", denyWorkloads: ["*"] })], workload: workload("worker"), reason: "AllowedBySecret", message: 'allowed by Secret "db" spec.allowedWorkloads: "worker"' }],
  ["combines several policies for one secret", { policies: [policyOf("a", { denyWorkloads: ["debug"] }), policyOf("b", { allowWorkloads: ["migration-job"] }), policyOf("c", { allowLabels: { team: "ml" } })], workload: workload("trainer", { team: "ml" }), reason: "AllowedByLabels", message: 'allowed by SecretPolicy "c" spec.allowLabels team=ml' }],
  ["lists every policy of the secret when none allows", { policies: [policyOf("b", { allowWorkloads: ["migration-job"], allowLabels: PROD_BACKEND }), policyOf("a", { denyWorkloads: ["debug"] })], workload: workload("x"), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; SecretPolicy "a" allows no workload; SecretPolicy "b" allows migration-job and labels env=production,team=backend' }],
  // no policy: the secret's list alone decides
  ["lets the secret's list alone decide when there is no policy", { workload: workload("worker"), reason: "AllowedBySecret", message: 'allowed by Secret "db" spec.allowedWorkloads: "worker"' }],
  ["refuses a workload the secret does not name when there is no policy", { workload: workload("x"), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows api-server, worker; no SecretPolicy names it' }],
  ["compares names exactly: no prefix match", { workload: workload("api"), reason: "NoRuleAllows", message: 'no rule allows workload "api": Secret "db" allows api-server, worker; no SecretPolicy names it' }],
  // empty lists
  ["allows nothing with an empty allowedWorkloads", { secret: secret("db", allowed()), workload: workload("x"), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows no workload; no SecretPolicy names it' }],
  ["allows nothing with no allowedWorkloads at all", { secret: secret("db"), workload: workload("x"), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows no workload; no SecretPolicy names it' }],
  ["allows nothing for a secret without a spec", { secret: secret("db", noSpec), workload: workload("x"), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows no workload; no SecretPolicy names it' }],
  ["allows nothing with a policy of empty lists", { secret: secret("db", allowed()), policies: [policyOf("p", { allowWorkloads: [], denyWorkloads: [], allowLabels: {} })], workload: workload("x"), reason: "NoRuleAllows", message: 'no rule allows workload "x": Secret "db" allows no workload; SecretPolicy "p" allows no workload' }],
  ["lets an empty denyWorkloads deny nothing", { policies: [policyOf("p", { denyWorkloads: [] })], workload: workload("worker"), reason: "AllowedBySecret", message: 'allowed by Secret "db" spec.allowedWorkloads: "worker"' }],
  // the secret
  ["refuses when the secret does not exist, whatever its policies allow", { secret: undefined, policies: [policyOf("p", { allowWorkloads: ["*"] })], workload: workload("x"), reason: "SecretNotFound", message: 'secret "db" does not exist' }],
  ["refuses when the secret is being deleted, even to a workload it names", { secret: secret("db", allowed("*"), deletingSecret), workload: workload("worker"), reason: "SecretDeleting", message: 'secret "db" is being deleted and releases nothing' }],
];

const caseNamed = (name: string): Case => cases.find(([n]) => n === name)?.[1] ?? expect.fail(`no case named ${name}`);

describe("decideAccess", () => {
  it.each(cases)("%s", (_name, c) => {
    const decision = decide(c);
    expect({ reason: decision.reason, message: decision.message }).toEqual({ reason: c.reason, message: c.message });
    expect(decision.allowed).toBe(c.reason.startsWith("Allowed"));
  });

  it.each<[string, Case, object]>([
    ["gives the deciding rule as data when a secret allows", caseNamed("allows a workload the secret names"), { kind: "Secret", name: "db", field: "spec.allowedWorkloads", match: "api-server" }],
    ["gives the deciding rule as data when labels allow", caseNamed("allows a workload with every label of allowLabels"), { kind: "SecretPolicy", name: "p", field: "spec.allowLabels", match: "env=production,team=backend" }],
    ["gives the deciding rule as data when a policy denies", caseNamed("denies a workload a policy names"), { kind: "SecretPolicy", name: "database-password", field: "spec.denyWorkloads", match: "debug-container" }],
  ])("%s", (_name, c, rule) => {
    const decision = decide(c);
    expect("rule" in decision ? decision.rule : undefined).toEqual(rule);
  });

  it("decides the same whatever order the policies come in", () => {
    const policies = [policyOf("c", { allowLabels: { team: "ml" } }), policyOf("a", { allowWorkloads: ["x"] }), policyOf("b", { denyWorkloads: ["y"] })];
    for (const w of [workload("x", { team: "ml" }), workload("y", { team: "ml" }), workload("z")]) {
      const forward = decideAccess({ secretName: "db", secret: DB, policies, workload: w });
      const backward = decideAccess({ secretName: "db", secret: DB, policies: [...policies].reverse(), workload: w });
      expect(backward).toEqual(forward);
    }
  });

  it("does not reorder the caller's array", () => {
    const policies = [policyOf("b"), policyOf("a")];
    decideAccess({ secretName: "db", secret: DB, policies, workload: workload("x") });
    expect(policies.map((p) => p.metadata.name)).toEqual(["b", "a"]);
  });

  it("throws when the secret passed is not the one named: a caller's mistake, not a refusal", () => {
    expect(() => decideAccess({ secretName: "db", secret: secret("api-key"), policies: [], workload: workload("x") })).toThrow('the secret passed is "api-key", not "db"');
  });
});

describe("decideAccess with an invalid workload", () => {
  it.each<[string, Workload, string, string]>([
    ["refuses an empty name", workload(""), "workload.name", "Required value"],
    ["refuses a missing name", { labels: {} } as unknown as Workload, "workload.name", "Required value"],
    ["refuses a name of *, which only rules use", workload("*", PROD_BACKEND), "workload.name", 'Invalid value: "*"'],
    ["refuses an uppercase name", workload("API-Server"), "workload.name", "lowercase RFC 1123 subdomain"],
    ["refuses a name longer than 253 characters", workload("a".repeat(254)), "workload.name", "no more than 253 characters"],
    ["refuses a label key that is not a qualified name", workload("x", { "bad key": "v" }), 'workload.labels["bad key"]', "Invalid label key"],
    ["refuses a label value longer than 63 characters", workload("x", { env: "p".repeat(64) }), 'workload.labels["env"]', "no more than 63 characters"],
    ["refuses a label value that is not a string", workload("x", { env: 1 } as unknown as Record<string, string>), 'workload.labels["env"]', "a label value is a string"],
    ["refuses labels that are not an object", { name: "x", labels: ["env=production"] } as unknown as Workload, "workload.labels", "labels must be an object"],
  ])("%s, with the field to fix, before reading any rule", (_name, w, field, text) => {
    const decision = decideAccess({ secretName: "db", secret: secret("db", allowed("*")), policies: [], workload: w });
    expect(decision.allowed).toBe(false);
    if (decision.reason !== "InvalidWorkload") return expect.fail(`expected InvalidWorkload, got ${decision.reason}`);
    expect(decision.causes.map((c) => c.field)).toContain(field);
    expect(decision.message).toMatch(/^workload is invalid: /);
    expect(decision.message).toContain(`${field}: `);
    expect(decision.message).toContain(text);
  });

  it("refuses an invalid workload even when the secret is missing", () => {
    expect(decideAccess({ secretName: "db", secret: undefined, policies: [], workload: workload("") }).reason).toBe("InvalidWorkload");
  });

  it("accepts a dotted name and prefixed label keys", () => {
    const decision = decideAccess({ secretName: "db", secret: secret("db", allowed("jobs.batch")), policies: [], workload: workload("jobs.batch", { "app.kubernetes.io/name": "x", empty: "" }) });
    expect(decision.reason).toBe("AllowedBySecret");
  });

  it("gives the exact message for an empty name", () => {
    expect(decideAccess({ secretName: "db", secret: DB, policies: [], workload: workload("") })).toEqual({
      allowed: false,
      reason: "InvalidWorkload",
      message: "workload is invalid: workload.name: Required value: a workload has a name, such as api-server",
      causes: [{ field: "workload.name", reason: "FieldValueRequired", message: "Required value: a workload has a name, such as api-server" }],
    });
  });
});
