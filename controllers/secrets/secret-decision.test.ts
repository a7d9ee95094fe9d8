import { describe, expect, it } from "vitest";
import type { Condition } from "../../api/machinery/meta.js";
import type { Secret } from "../../api/types/secret.js";
import type { SecretHistory, SecretVersionInfo } from "../../api/types/secrets-api.js";
import { DAY_MS, DEFAULT_GENERATOR } from "./rotation-schedule.js";
import { decideSecret, MAX_STATUS_VERSIONS, type SecretPlan } from "./secret-decision.js";

const CREATED = "2026-03-01T00:00:00Z";
const CREATED_MS = Date.parse(CREATED);
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const HOUR = 3_600_000;

type Modifier = (s: Secret) => void;
function secret(...mods: Modifier[]): Secret {
  const s: Secret = {
    apiVersion: "security.clawbernetes.com/v1",
    kind: "Secret",
    metadata: { name: "db", generation: 3 },
    spec: { allowedWorkloads: ["api-server"], sealed: { version: 1, keyId: "k1", algorithm: "chacha20-poly1305", nonce: "bm9uY2U=", ciphertext: "Y2lwaGVy" } },
  };
  for (const mod of mods) mod(s);
  return s;
}
const atVersion = (version: number): Modifier => (s) => void (s.spec = { ...s.spec, sealed: { ...s.spec!.sealed!, version } });
const noValue: Modifier = (s) => void (s.spec = { allowedWorkloads: ["api-server"] });
const autoRotate = (intervalDays?: number): Modifier => (s) => void (s.spec = { ...s.spec, rotation: { autoRotate: true, ...(intervalDays !== undefined ? { intervalDays } : {}) } });
const rotationOff: Modifier = (s) => void (s.spec = { ...s.spec, rotation: { autoRotate: false, intervalDays: 1 } });
const deleting: Modifier = (s) => void (s.metadata.deletionTimestamp = CREATED);
const conditions = (...c: Condition[]): Modifier => (s) => void (s.status = { ...s.status, conditions: c });

const version = (n: number, source: SecretVersionInfo["source"], createdAt = CREATED, extra: Partial<SecretVersionInfo> = {}): SecretVersionInfo => ({
  version: n,
  createdAt,
  source,
  actor: source === "Rotated" ? "system:controller-manager" : "alice",
  keyId: "k1",
  ...extra,
});
const history = (...versions: SecretVersionInfo[]): SecretHistory => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "SecretHistory",
  name: "db",
  currentVersion: versions.at(-1)?.version ?? 0,
  versions,
});
const PERSON = history(version(1, "Value"));
const GENERATED = history(version(1, "Generated", CREATED, { generator: { length: 24, charset: "hex" } }));

const statusOf = (plan: SecretPlan) => (plan.action === "writeStatus" ? plan.status : expect.fail(`expected a status to write, got ${plan.action}`));
const conditionOf = (plan: SecretPlan, type: string) => statusOf(plan).conditions?.find((c) => c.type === type);
const requeueOf = (plan: SecretPlan) => (plan.action === "writeStatus" ? plan.requeueAfterMs : undefined);

describe("decideSecret", () => {
  it.each<[string, Secret | undefined, SecretHistory | undefined]>([
    ["does nothing for a secret that is gone", undefined, undefined],
    ["does nothing for a secret being deleted, however overdue", secret(deleting, autoRotate(1)), GENERATED],
    ["waits for the cache when the history already has a newer version", secret(autoRotate(1)), history(version(1, "Generated"), version(2, "Rotated"))],
    ["waits for the cache when the history has a value the cache has not seen", secret(noValue), history(version(1, "Value"))],
  ])("%s", (_name, s, h) => {
    expect(decideSecret({ secret: s, history: h }, CREATED_MS + 400 * DAY_MS)).toEqual({ action: "none" });
  });

  it("retries later when the history is behind the cache, rather than wait for an event that will not come", () => {
    expect(decideSecret({ secret: secret(atVersion(3), autoRotate(1)), history: history(version(1, "Generated"), version(2, "Rotated")) }, CREATED_MS + 400 * DAY_MS)).toEqual({
      action: "retry",
      reason: 'the history of secret "db" is at version 2, behind version 3 in the cache',
    });
  });

  it("fills the status from the sealed version and the history, without values or actors", () => {
    const h = history(version(1, "Generated", "2026-01-01T00:00:00Z"), version(2, "Value", CREATED, { keyId: "k2" }));
    expect(statusOf(decideSecret({ secret: secret(atVersion(2)), history: h }, CREATED_MS))).toEqual({
      observedGeneration: 3,
      currentVersion: 2,
      versions: [
        { version: 1, createdAt: "2026-01-01T00:00:00Z", source: "Generated", keyId: "k1" },
        { version: 2, createdAt: CREATED, source: "Value", keyId: "k2" },
      ],
      lastRotatedAt: CREATED,
      conditions: [{ type: "Ready", status: "True", reason: "ValueSealed", message: "version 2 is current", observedGeneration: 3, lastTransitionTime: CREATED }],
    });
  });

  it(`keeps only the newest ${MAX_STATUS_VERSIONS} versions in status`, () => {
    const many = Array.from({ length: MAX_STATUS_VERSIONS + 5 }, (_, i) => version(i + 1, "Generated"));
    const versions = statusOf(decideSecret({ secret: secret(atVersion(many.length)), history: history(...many) }, CREATED_MS)).versions ?? [];
    expect(versions).toHaveLength(MAX_STATUS_VERSIONS);
    expect([versions[0]?.version, versions.at(-1)?.version]).toEqual([6, MAX_STATUS_VERSIONS + 5]);
  });

  it.each<[string, Secret, SecretHistory, { ready: [string, string]; currentVersion?: number }]>([
    ["is Ready once a value is sealed", secret(), PERSON, { ready: ["True", "ValueSealed"], currentVersion: 1 }],
    ["is not Ready, NoValue, without a sealed value", secret(noValue), history(), { ready: ["False", "NoValue"] }],
  ])("%s", (_name, s, h, want) => {
    const plan = decideSecret({ secret: s, history: h }, CREATED_MS);
    expect(conditionOf(plan, "Ready")).toMatchObject({ status: want.ready[0], reason: want.ready[1], observedGeneration: 3 });
    expect(statusOf(plan).currentVersion).toBe(want.currentVersion);
  });

  it("says how to give a secret without a value one", () => {
    expect(conditionOf(decideSecret({ secret: secret(noValue), history: history() }, CREATED_MS), "Ready")?.message).toBe("the secret has no value; give it one with `claw secrets rotate db --generate` (or --new-value …)");
  });

  it.each<[string, Secret, SecretHistory, number, { due?: [string, string]; nextRotationAt?: string; requeueAfterMs?: number }]>([
    ["schedules nothing and sets no RotationDue while autoRotate is off", secret(rotationOff), GENERATED, CREATED_MS + 400 * DAY_MS, {}],
    ["schedules nothing and sets no RotationDue without a rotation section", secret(), PERSON, CREATED_MS + 400 * DAY_MS, {}],
    ["schedules a generated value intervalDays after its version was made, waking exactly then", secret(autoRotate(7)), GENERATED, CREATED_MS + HOUR, { due: ["False", "RotatesAutomatically"], nextRotationAt: at(CREATED_MS + 7 * DAY_MS), requeueAfterMs: 7 * DAY_MS - HOUR }],
    ["counts 30 days when intervalDays is absent", secret(autoRotate()), GENERATED, CREATED_MS, { due: ["False", "RotatesAutomatically"], nextRotationAt: at(CREATED_MS + 30 * DAY_MS), requeueAfterMs: 30 * DAY_MS }],
    ["counts from the current version, not the first", secret(autoRotate(7), atVersion(2)), history(version(1, "Generated"), version(2, "Rotated", at(CREATED_MS + 7 * DAY_MS))), CREATED_MS + 7 * DAY_MS, { due: ["False", "RotatesAutomatically"], nextRotationAt: at(CREATED_MS + 14 * DAY_MS), requeueAfterMs: 7 * DAY_MS }],
    ["says a person's value is not yet due, and wakes when it falls due", secret(autoRotate(7)), PERSON, CREATED_MS + 7 * DAY_MS - 1, { due: ["False", "NotDue"], nextRotationAt: at(CREATED_MS + 7 * DAY_MS), requeueAfterMs: 1 }],
    ["says a person's value is due at the very instant, without waking again", secret(autoRotate(7)), PERSON, CREATED_MS + 7 * DAY_MS, { due: ["True", "ManualRotationDue"], nextRotationAt: at(CREATED_MS + 7 * DAY_MS) }],
    ["keeps saying a person's value is due long after", secret(autoRotate(7)), PERSON, CREATED_MS + 300 * DAY_MS, { due: ["True", "ManualRotationDue"], nextRotationAt: at(CREATED_MS + 7 * DAY_MS) }],
    ["treats a person's value after generated ones as a person's", secret(autoRotate(7), atVersion(2)), history(version(1, "Generated"), version(2, "Value")), CREATED_MS + 8 * DAY_MS, { due: ["True", "ManualRotationDue"], nextRotationAt: at(CREATED_MS + 7 * DAY_MS) }],
    ["says there is nothing to rotate without a value", secret(noValue, autoRotate(7)), history(), CREATED_MS + 400 * DAY_MS, { due: ["False", "NoValue"] }],
    ["says the schedule is unknown when the history lacks the current version", secret(autoRotate(7), atVersion(2)), { ...history(version(1, "Generated")), currentVersion: 2 }, CREATED_MS + 400 * DAY_MS, { due: ["Unknown", "VersionTimeUnknown"] }],
    ["says the schedule is unknown when the version's time cannot be read", secret(autoRotate(7)), history(version(1, "Generated", "yesterday")), CREATED_MS + 400 * DAY_MS, { due: ["Unknown", "VersionTimeUnknown"] }],
  ])("%s", (_name, s, h, now, want) => {
    const plan = decideSecret({ secret: s, history: h }, now);
    const due = conditionOf(plan, "RotationDue");
    if (want.due) expect(due).toMatchObject({ status: want.due[0], reason: want.due[1], observedGeneration: 3 });
    else expect(due).toBeUndefined();
    expect(statusOf(plan).nextRotationAt).toBe(want.nextRotationAt);
    expect(requeueOf(plan)).toBe(want.requeueAfterMs);
  });

  it.each<[string, Secret, SecretHistory, number, SecretPlan]>([
    ["rotates a generated value at the very instant it falls due, with its generator", secret(autoRotate(7)), GENERATED, CREATED_MS + 7 * DAY_MS, { action: "rotate", generate: { length: 24, charset: "hex" }, fromVersion: 1 }],
    ["rotates an overdue value once, whatever how late", secret(autoRotate(7)), GENERATED, CREATED_MS + 90 * DAY_MS, { action: "rotate", generate: { length: 24, charset: "hex" }, fromVersion: 1 }],
    ["rotates a version an earlier rotation made, with the generator it recorded", secret(autoRotate(1), atVersion(2)), history(version(1, "Generated"), version(2, "Rotated", CREATED, { generator: { charset: "base64url" } })), CREATED_MS + DAY_MS, { action: "rotate", generate: { charset: "base64url" }, fromVersion: 2 }],
    ["generates 32 alphanumeric characters when the version recorded no generator", secret(autoRotate(1)), history(version(1, "Generated")), CREATED_MS + DAY_MS, { action: "rotate", generate: DEFAULT_GENERATOR, fromVersion: 1 }],
  ])("%s", (_name, s, h, now, plan) => {
    expect(decideSecret({ secret: s, history: h }, now)).toEqual(plan);
  });

  it("never generates a value a person supplied, however overdue", () => {
    for (const days of [7, 8, 365, 3650]) expect(decideSecret({ secret: secret(autoRotate(7)), history: PERSON }, CREATED_MS + days * DAY_MS).action).toBe("writeStatus");
  });

  it("tells how to rotate a person's value that is due, naming the secret and the command", () => {
    expect(conditionOf(decideSecret({ secret: secret(autoRotate(7)), history: PERSON }, CREATED_MS + 8 * DAY_MS), "RotationDue")?.message).toBe(
      "version 1 was supplied by a person, so the controller cannot generate the next one; rotation was due at 2026-03-08T00:00:00Z: " +
        "rotate it with `claw secrets rotate db --new-value …` (or --from-file FILE; --generate lets the controller rotate it from then on)",
    );
  });

  it("says when the controller generates the next version", () => {
    expect(conditionOf(decideSecret({ secret: secret(autoRotate(7)), history: GENERATED }, CREATED_MS), "RotationDue")?.message).toBe("the controller generates version 2 at 2026-03-08T00:00:00Z");
  });

  it("removes RotationDue when autoRotate is turned off, keeping other conditions", () => {
    const before = conditions(
      { type: "RotationDue", status: "True", reason: "ManualRotationDue", message: "", lastTransitionTime: CREATED },
      { type: "Ready", status: "True", reason: "ValueSealed", message: "", lastTransitionTime: CREATED },
    );
    expect(statusOf(decideSecret({ secret: secret(rotationOff, before), history: PERSON }, CREATED_MS + DAY_MS)).conditions?.map((c) => c.type)).toEqual(["Ready"]);
  });

  it("moves RotationDue's lastTransitionTime only when it flips", () => {
    const notDue = decideSecret({ secret: secret(autoRotate(7)), history: PERSON }, CREATED_MS);
    const stillNotDue = decideSecret({ secret: secret(autoRotate(7), conditions(...statusOf(notDue).conditions!)), history: PERSON }, CREATED_MS + DAY_MS);
    const due = decideSecret({ secret: secret(autoRotate(7), conditions(...statusOf(notDue).conditions!)), history: PERSON }, CREATED_MS + 7 * DAY_MS);
    expect(conditionOf(stillNotDue, "RotationDue")?.lastTransitionTime).toBe(CREATED);
    expect(conditionOf(due, "RotationDue")?.lastTransitionTime).toBe("2026-03-08T00:00:00Z");
  });

  it("is stable: deciding again from its own status gives the same status", () => {
    const first = statusOf(decideSecret({ secret: secret(autoRotate(7)), history: PERSON }, CREATED_MS + 8 * DAY_MS));
    const again = decideSecret({ secret: { ...secret(autoRotate(7)), status: first }, history: PERSON }, CREATED_MS + 9 * DAY_MS);
    expect(statusOf(again)).toEqual(first);
  });
});
