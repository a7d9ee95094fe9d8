// The secrets controller's decision, pure: a Secret's status from the object and its version history
// (metadata only, never a value), and automatic rotation — a generated value is rotated when due, a value
// a person supplied is only reported due, with how to rotate it. It wakes exactly when rotation is due.

import { toRfc3339 } from "../../api/machinery/clock.js";
import type { Secret, SecretStatus, SecretVersion } from "../../api/types/secret.js";
import type { SecretHistory, SecretVersionInfo } from "../../api/types/secrets-api.js";
import { removeCondition, setConditions, type ConditionInput } from "../../api/machinery/conditions.js";
import { rotationScheduleOf, type Generator, type RotationSchedule } from "./rotation-schedule.js";

export interface SecretDecisionInput {
  /** The secret as cached; undefined when it is gone. */
  secret: Secret | undefined;
  /** The history endpoint's answer, read after the secret; undefined when the secret is gone or going. */
  history: SecretHistory | undefined;
}

export type SecretPlan =
  | { action: "none" }
  /** Make the next version from the generator; the write brings the secret back to be reconciled. */
  | { action: "rotate"; generate: Generator; fromVersion: number }
  /** The server answered with an older history than the cache holds (a lagging replica): try again later. */
  | { action: "retry"; reason: string }
  | { action: "writeStatus"; status: SecretStatus; requeueAfterMs?: number };

/** status.versions holds at most this many (the CRD's maxItems), the newest. */
export const MAX_STATUS_VERSIONS = 100;
export const ROTATION_DUE = "RotationDue";

export function decideSecret(input: SecretDecisionInput, now: number): SecretPlan {
  const { secret } = input;
  // Gone or going: there is no status worth writing and nothing to rotate.
  if (!secret || secret.metadata.deletionTimestamp) return { action: "none" };
  const version = secret.spec?.sealed?.version;
  const history = input.history ?? { currentVersion: 0, versions: [] };
  // The cache lags the server (a write it has not delivered yet): that write's event brings this key back.
  if (history.currentVersion > (version ?? 0)) return { action: "none" };
  // The history lags the cache: no event will come, so look again after a backoff.
  if (history.currentVersion < (version ?? 0)) return { action: "retry", reason: `the history of secret "${secret.metadata.name}" is at version ${history.currentVersion}, behind version ${version} in the cache` };
  const current = history.versions.find((v) => v.version === version);
  const schedule = rotationScheduleOf(secret, current);
  // Due, and the value was generated: make the next one (the write brings the secret back for its status).
  if (schedule.kind === "automatic" && now >= schedule.dueAt) return { action: "rotate", generate: schedule.generate, fromVersion: schedule.version };

  const generation = secret.metadata.generation;
  const withGeneration = (c: ConditionInput): ConditionInput => (generation !== undefined ? { ...c, observedGeneration: generation } : c);
  const name = secret.metadata.name;
  const due = rotationDue({ name, schedule, now });
  const next = [readyCondition(name, version), ...(due ? [due] : [])].map(withGeneration);
  const kept = due ? secret.status?.conditions : removeCondition(secret.status?.conditions, ROTATION_DUE);
  const dueAt = "dueAt" in schedule ? schedule.dueAt : undefined;
  const status: SecretStatus = {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    ...(version !== undefined ? { currentVersion: version } : {}),
    versions: history.versions.slice(-MAX_STATUS_VERSIONS).map(statusVersion),
    ...(current ? { lastRotatedAt: current.createdAt } : {}),
    ...(dueAt !== undefined ? { nextRotationAt: toRfc3339(dueAt) } : {}),
    conditions: setConditions(kept, next, toRfc3339(now)),
  };
  // Wake exactly when rotation falls due: to rotate, or to say a person's value is due.
  return { action: "writeStatus", status, ...(dueAt !== undefined && dueAt > now ? { requeueAfterMs: dueAt - now } : {}) };
}

const statusVersion = (v: SecretVersionInfo): SecretVersion => ({ version: v.version, createdAt: v.createdAt, source: v.source, ...(v.keyId ? { keyId: v.keyId } : {}) });

function readyCondition(name: string, version: number | undefined): ConditionInput {
  const type = "Ready";
  if (version === undefined) return { type, status: "False", reason: "NoValue", message: `the secret has no value; give it one with \`claw secrets rotate ${name} --generate\` (or --new-value …)` };
  return { type, status: "True", reason: "ValueSealed", message: `version ${version} is current` };
}

/** RotationDue while autoRotate is on; undefined (the condition removed) when it is off. */
function rotationDue(opts: { name: string; schedule: RotationSchedule; now: number }): ConditionInput | undefined {
  const { name, schedule, now } = opts;
  const type = ROTATION_DUE;
  const howTo = `rotate it with \`claw secrets rotate ${name} --new-value …\` (or --from-file FILE; --generate lets the controller rotate it from then on)`;
  switch (schedule.kind) {
    case "off":
      return undefined;
    case "noValue":
      return { type, status: "False", reason: "NoValue", message: "there is no value to rotate yet" };
    case "unknownAge":
      return { type, status: "Unknown", reason: "VersionTimeUnknown", message: `the history does not say when version ${schedule.version} was made, so no rotation is scheduled; rotating it with \`claw secrets rotate ${name}\` starts the schedule` };
    case "manual": {
      const at = toRfc3339(schedule.dueAt);
      if (now >= schedule.dueAt) return { type, status: "True", reason: "ManualRotationDue", message: `version ${schedule.version} was supplied by a person, so the controller cannot generate the next one; rotation was due at ${at}: ${howTo}` };
      return { type, status: "False", reason: "NotDue", message: `version ${schedule.version} was supplied by a person; rotation is due at ${at}, then ${howTo}` };
    }
    case "automatic":
      return { type, status: "False", reason: "RotatesAutomatically", message: `the controller generates version ${schedule.version + 1} at ${toRfc3339(schedule.dueAt)}` };
  }
}
