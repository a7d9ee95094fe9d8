// The apikeys controller's decision, pure: when a key expires, its phase (Pending, Active, Expired or
// Revoked) and its Ready and Expired conditions, and when to look again (exactly at expiry).
// The key id, secret hash, rotation and secretFetched belong to the identity endpoints and are kept.

import { toRfc3339 } from "../../api/machinery/clock.js";
import type { ApiKey, ApiKeyPhase, ApiKeySpec, ApiKeyStatus } from "../../api/types/api-key.js";
import { parseDuration } from "../../api/types/duration.js";
import { setConditions, type ConditionInput } from "../../api/machinery/conditions.js";

export interface ApiKeyDecisionInput {
  /** The key as cached; undefined when it is gone. */
  key: ApiKey | undefined;
}

/** The status fields this controller writes; every other field is left to the identity endpoints. */
export const API_KEY_STATUS_FIELDS = ["observedGeneration", "phase", "expiresAt", "revokedAt", "conditions"] as const;

export type ApiKeyPlan =
  | { action: "none" }
  | { action: "writeStatus"; status: ApiKeyStatus; requeueAfterMs?: number };

export type Expiry = { kind: "never" } | { kind: "at"; ms: number } | { kind: "invalid"; message: string };

/** When the key expires: spec.expiresAt, or creation time plus spec.duration, or never. */
export function expiryOf(spec: ApiKeySpec | undefined, creationTimestamp: string | undefined): Expiry {
  if (spec?.expiresAt !== undefined) {
    const ms = Date.parse(spec.expiresAt);
    return Number.isNaN(ms) ? { kind: "invalid", message: `spec.expiresAt "${spec.expiresAt}" is not an RFC 3339 time` } : { kind: "at", ms };
  }
  if (spec?.duration === undefined) return { kind: "never" };
  const created = creationTimestamp ? Date.parse(creationTimestamp) : NaN;
  if (Number.isNaN(created)) return { kind: "invalid", message: "spec.duration counts from metadata.creationTimestamp, which is missing" };
  try {
    return { kind: "at", ms: created + parseDuration(spec.duration) };
  } catch (err) {
    return { kind: "invalid", message: `spec.duration: ${(err as Error).message}` };
  }
}

export function decideApiKey(input: ApiKeyDecisionInput, now: number): ApiKeyPlan {
  const { key } = input;
  // Gone or going: there is no status worth writing.
  if (!key || key.metadata.deletionTimestamp) return { action: "none" };
  const generation = key.metadata.generation;
  const current = key.status ?? {};
  const expiry = expiryOf(key.spec, key.metadata.creationTimestamp);
  const revoked = key.spec?.revoked === true;
  const revokedAt = current.revokedAt ?? (revoked ? toRfc3339(now) : undefined);
  const phase = phaseOf({ revoked, expiry, now, minted: current.keyId !== undefined });
  const withGeneration = (c: ConditionInput): ConditionInput => (generation !== undefined ? { ...c, observedGeneration: generation } : c);
  const conditions = [expiredCondition(expiry, now), readyCondition({ phase, expiry, revokedAt })].map(withGeneration);
  const status: ApiKeyStatus = {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    ...(phase ? { phase } : current.phase ? { phase: current.phase } : {}),
    ...(expiry.kind === "at" ? { expiresAt: toRfc3339(expiry.ms) } : {}),
    ...(revokedAt ? { revokedAt } : {}),
    conditions: setConditions(current.conditions, conditions, toRfc3339(now)),
  };
  // Wake exactly at expiry, unless revocation already settled the key's fate.
  const wake = !revoked && expiry.kind === "at" && expiry.ms > now ? { requeueAfterMs: expiry.ms - now } : {};
  return { action: "writeStatus", status, ...wake };
}

/** The phase, first rule that holds wins; undefined when the expiry cannot be read (the phase stays as it is). */
function phaseOf(opts: { revoked: boolean; expiry: Expiry; now: number; minted: boolean }): ApiKeyPhase | undefined {
  // Revocation is final, expired or not.
  if (opts.revoked) return "Revoked";
  // An unreadable expiry: do not guess either way.
  if (opts.expiry.kind === "invalid") return undefined;
  // Past its expiry, the key is refused.
  if (opts.expiry.kind === "at" && opts.expiry.ms <= opts.now) return "Expired";
  // No key id yet: the secret has not been minted.
  if (!opts.minted) return "Pending";
  return "Active";
}

function expiredCondition(expiry: Expiry, now: number): ConditionInput {
  const type = "Expired";
  if (expiry.kind === "invalid") return { type, status: "Unknown", reason: "InvalidExpiry", message: expiry.message };
  if (expiry.kind === "never") return { type, status: "False", reason: "NeverExpires", message: "the key has no expiry" };
  if (expiry.ms <= now) return { type, status: "True", reason: "Expired", message: `the key expired at ${toRfc3339(expiry.ms)}; create a new key` };
  return { type, status: "False", reason: "NotExpired", message: `the key expires at ${toRfc3339(expiry.ms)}` };
}

function readyCondition(opts: { phase: ApiKeyPhase | undefined; expiry: Expiry; revokedAt: string | undefined }): ConditionInput {
  const type = "Ready";
  switch (opts.phase) {
    case "Revoked":
      return { type, status: "False", reason: "Revoked", message: `the key was revoked${opts.revokedAt ? ` at ${opts.revokedAt}` : ""}; revocation is final, create a new key` };
    case "Expired":
      return { type, status: "False", reason: "Expired", message: "the key has expired; create a new key" };
    case "Pending":
      return { type, status: "False", reason: "SecretNotMinted", message: "the key id and secret are minted when the key's owner fetches its secret" };
    case "Active":
      return { type, status: "True", reason: "Active", message: "the key is active" };
    default:
      return { type, status: "False", reason: "InvalidExpiry", message: opts.expiry.kind === "invalid" ? opts.expiry.message : "the key's expiry cannot be read" };
  }
}
