// When a Secret's value next rotates, and whether the controller may make the new value: pure. Only a
// generated value can be generated again; a value a person supplied can only be reported due.

import type { Secret } from "../../api/types/secret.js";
import type { RotateRequest, SecretVersionInfo } from "../../api/types/secrets-api.js";

export const DAY_MS = 86_400_000;
/** The CRD's default for spec.rotation.intervalDays. */
export const DEFAULT_INTERVAL_DAYS = 30;

export type Generator = NonNullable<RotateRequest["generate"]>;
/** What automatic rotation generates when the current version does not record its generator (the CRD's words). */
export const DEFAULT_GENERATOR: Generator = { length: 32, charset: "alphanumeric" };

export type RotationSchedule =
  | { kind: "off" }
  | { kind: "noValue" }
  | { kind: "unknownAge"; version: number }
  | { kind: "manual"; version: number; dueAt: number }
  | { kind: "automatic"; version: number; dueAt: number; generate: Generator };

/** The schedule of the secret whose current version is `current` (from the history; undefined when absent). */
export function rotationScheduleOf(secret: Secret, current: SecretVersionInfo | undefined): RotationSchedule {
  const rotation = secret.spec?.rotation;
  const version = secret.spec?.sealed?.version;
  // Rotation is opt-in.
  if (rotation?.autoRotate !== true) return { kind: "off" };
  // Nothing to rotate yet.
  if (version === undefined) return { kind: "noValue" };
  const createdAt = current ? Date.parse(current.createdAt) : NaN;
  // Without the current version's age there is no schedule: say so rather than guess.
  if (!current || Number.isNaN(createdAt)) return { kind: "unknownAge", version };
  const dueAt = createdAt + (rotation.intervalDays ?? DEFAULT_INTERVAL_DAYS) * DAY_MS;
  // A person supplied this value: the controller cannot make the next one.
  if (current.source === "Value") return { kind: "manual", version, dueAt };
  // Generated (by a client or by an earlier rotation): make the next one of the same shape.
  return { kind: "automatic", version, dueAt, generate: current.generator ?? DEFAULT_GENERATOR };
}
