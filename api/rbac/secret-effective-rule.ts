// The access rule of one Secret once its spec.allowedWorkloads and every SecretPolicy for it are combined, as
// data and as one line, for SecretPolicy and Secret status; and the SecretPolicy conditions. Pure; it reads
// the rules exactly as decideAccess does (access-rules.ts), so status never promises what the decision refuses.

import type { Condition } from "../machinery/meta.js";
import type { Secret } from "../types/secret.js";
import type { SecretPolicy } from "../types/secret-policy.js";
import { checkSecretName, formatLabels, hasLabels, isDeleting, policiesFor } from "./secret-access-rules.js";
import { EVERY_WORKLOAD } from "./workload.js";

export interface EffectiveRuleInput {
  secretName: string;
  /** The secret as cached; undefined when it does not exist. */
  secret: Secret | undefined;
  /** Every SecretPolicy; those for other secrets are ignored. */
  policies: readonly SecretPolicy[];
}

export interface EffectiveRule {
  secret: string;
  /** False when the secret is missing or being deleted: then nothing is released, whatever the lists say. */
  releases: boolean;
  /** Names allowed by the secret, then by each live policy by name, without repeats; may hold `*`. */
  allowWorkloads: string[];
  /** Each live policy's non-empty allowLabels; a workload matches one when it has every label in it. */
  allowLabels: Record<string, string>[];
  /** Names denied by any policy of the secret, including one being deleted; may hold `*`. */
  denyWorkloads: string[];
  /**
   * status.effectiveAllowedWorkloads: allowWorkloads less the denied names, `[]` when `*` is denied or nothing is
   * released, and `["*"]` when `*` is allowed (a list cannot say "every workload but these"; denyWorkloads does).
   */
  effectiveAllowedWorkloads: string[];
  /** `allow workloads api-server, worker; allow labels env=production,team=backend; deny debug-container`. */
  summary: string;
}

const unique = (names: readonly string[]) => [...new Set(names)];

export function describeEffectiveRule(input: EffectiveRuleInput): EffectiveRule {
  const { secretName, secret } = input;
  checkSecretName(secretName, secret);
  const policies = policiesFor(secretName, input.policies);
  const live = policies.filter((p) => !isDeleting(p));
  const releases = secret !== undefined && !isDeleting(secret);
  const allowWorkloads = unique([...(secret?.spec?.allowedWorkloads ?? []), ...live.flatMap((p) => p.spec?.allowWorkloads ?? [])]);
  const allowLabels = live.flatMap((p) => (hasLabels(p.spec?.allowLabels) ? [{ ...p.spec.allowLabels }] : []));
  const denyWorkloads = unique(policies.flatMap((p) => p.spec?.denyWorkloads ?? []));
  const rule = { allowWorkloads, allowLabels, denyWorkloads };
  return {
    secret: secretName,
    releases,
    ...rule,
    effectiveAllowedWorkloads: releases ? effectiveNames(rule) : [],
    summary: summarize(secretName, secret, rule),
  };
}

type Lists = Pick<EffectiveRule, "allowWorkloads" | "allowLabels" | "denyWorkloads">;

function effectiveNames({ allowWorkloads, denyWorkloads }: Lists): string[] {
  if (denyWorkloads.includes(EVERY_WORKLOAD)) return [];
  if (allowWorkloads.includes(EVERY_WORKLOAD)) return [EVERY_WORKLOAD];
  return allowWorkloads.filter((name) => !denyWorkloads.includes(name));
}

function summarize(secretName: string, secret: Secret | undefined, { allowWorkloads, allowLabels, denyWorkloads }: Lists): string {
  if (!secret) return `secret ${JSON.stringify(secretName)} does not exist: nothing is released`;
  if (isDeleting(secret)) return `secret ${JSON.stringify(secretName)} is being deleted: nothing is released`;
  const parts: string[] = [];
  if (allowWorkloads.includes(EVERY_WORKLOAD)) parts.push("allow every workload");
  else if (allowWorkloads.length > 0) parts.push(`allow workloads ${allowWorkloads.join(", ")}`);
  if (allowLabels.length > 0) parts.push(`allow labels ${allowLabels.map(formatLabels).join(" or ")}`);
  if (parts.length === 0) parts.push("allow no workload");
  if (denyWorkloads.includes(EVERY_WORKLOAD)) parts.push("deny every workload");
  else if (denyWorkloads.length > 0) parts.push(`deny ${denyWorkloads.join(", ")}`);
  return parts.join("; ");
}

/** A condition before setCondition stamps its lastTransitionTime (controllers/runtime/conditions.ts ConditionInput). */
export type ConditionWithoutTime = Omit<Condition, "lastTransitionTime">;

export interface SecretPolicyConditionsInput {
  policy: SecretPolicy;
  /** The secret named in policy.spec.secret as cached; undefined when it does not exist. */
  secret: Secret | undefined;
}

/**
 * SecretFound and Ready for a SecretPolicy. A missing secret: SecretFound False and Ready False, both SecretNotFound.
 * A secret being deleted: SecretFound True, Ready False SecretDeleting (it releases nothing). Otherwise both True.
 */
export function secretPolicyConditions({ policy, secret }: SecretPolicyConditionsInput): ConditionWithoutTime[] {
  const secretName = policy.spec?.secret ?? "";
  checkSecretName(secretName, secret);
  const generation = policy.metadata.generation;
  const stamp = (c: ConditionWithoutTime): ConditionWithoutTime => (generation !== undefined ? { ...c, observedGeneration: generation } : c);
  const named = `Secret ${JSON.stringify(secretName)}`;
  // The policy waits for its secret: say which one, and that creating it is the fix.
  if (!secret) {
    const message = `${named} does not exist; this policy applies once it is created`;
    return [stamp({ type: "SecretFound", status: "False", reason: "SecretNotFound", message }), stamp({ type: "Ready", status: "False", reason: "SecretNotFound", message })];
  }
  const found = stamp({ type: "SecretFound", status: "True", reason: "SecretFound", message: `${named} exists` });
  // Found but going: nothing is released, so the policy is not in effect.
  if (isDeleting(secret)) return [found, stamp({ type: "Ready", status: "False", reason: "SecretDeleting", message: `${named} is being deleted and releases nothing` })];
  return [found, stamp({ type: "Ready", status: "True", reason: "Applied", message: `applies to ${named}` })];
}
