// The secretpolicies controller's decision, pure: whether the policy's Secret exists, the names the
// secret's combined rule allows, and SecretFound and Ready (whose message carries the effective rule in
// one line, as status has no field for it). Every policy of the secret shares one rule, so each shows it.

import { toRfc3339 } from "../../api/machinery/clock.js";
import { describeEffectiveRule, secretPolicyConditions } from "../../api/rbac/secret-effective-rule.js";
import type { Secret } from "../../api/types/secret.js";
import type { SecretPolicy, SecretPolicyStatus } from "../../api/types/secret-policy.js";
import { setConditions, type ConditionInput } from "../../api/machinery/conditions.js";

export interface SecretPolicyDecisionInput {
  /** The policy as cached; undefined when it is gone. */
  policy: SecretPolicy | undefined;
  /** The secret the policy names, as cached; undefined when it does not exist. */
  secret: Secret | undefined;
  /** The policies for that secret, this one included or not (its cached form is used either way). */
  policies: readonly SecretPolicy[];
}

export type SecretPolicyPlan = { action: "none" } | { action: "writeStatus"; status: SecretPolicyStatus };

export function decideSecretPolicy(input: SecretPolicyDecisionInput, now: number): SecretPolicyPlan {
  const { policy, secret } = input;
  // Gone or going: there is no status worth writing.
  if (!policy || policy.metadata.deletionTimestamp) return { action: "none" };
  const secretName = policy.spec?.secret ?? "";
  const policies = [policy, ...input.policies.filter((p) => p.metadata.name !== policy.metadata.name)];
  const rule = describeEffectiveRule({ secretName, secret, policies });
  // In effect: say what the secret's policies allow and deny together.
  const withRule = (c: ConditionInput): ConditionInput => (c.type === "Ready" && c.status === "True" ? { ...c, message: `${c.message}: ${rule.summary}` } : c);
  const conditions = secretPolicyConditions({ policy, secret }).map(withRule);
  const generation = policy.metadata.generation;
  return {
    action: "writeStatus",
    status: {
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      secretExists: secret !== undefined,
      effectiveAllowedWorkloads: rule.effectiveAllowedWorkloads,
      conditions: setConditions(policy.status?.conditions, conditions, toRfc3339(now)),
    },
  };
}
