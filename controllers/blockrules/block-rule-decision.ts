// The blockrules controller's decision, pure: whether a BlockRule blocks now (status.active and the Active
// condition), when it ends, and when to look again — exactly at expiry, then at the end of the grace period,
// when the rule is deleted. Gateways stop matching a rule at its expiry on their own; the status says so for
// people, and the delete keeps the list short.

import { parseCidr } from "../../api/machinery/ip-address.js";
import { toRfc3339 } from "../../api/machinery/clock.js";
import { setConditions, type ConditionInput } from "../../api/machinery/conditions.js";
import type { BlockRule, BlockRuleStatus } from "../../api/types/block-rule.js";
import { blockRuleExpiry, type BlockRuleExpiry } from "../../api/types/block-rule-expiry.js";

/**
 * How long an expired rule stays (inactive) before the controller deletes it, so `claw security blocklist`
 * still shows what just ended. Manual and auto rules alike: an expired block of either kind has done its job,
 * and the auto-blocker's escalation counts repeats on its own, not from old rules.
 */
export const EXPIRED_RULE_GRACE_MS = 60 * 60 * 1000;

export const CONDITION_ACTIVE = "Active";

export interface BlockRuleDecisionInput {
  /** The rule as cached; undefined when it is gone. */
  rule: BlockRule | undefined;
}

export type BlockRulePlan =
  | { action: "none" }
  /** Expired more than the grace period ago: delete it (guarded by the resourceVersion read). */
  | { action: "delete"; reason: string }
  | { action: "writeStatus"; status: BlockRuleStatus; requeueAfterMs?: number };

/** What the checks look at. */
export interface ActiveCheckInput {
  rule: BlockRule;
  expiry: BlockRuleExpiry;
  now: number;
}

/** Active False with a reason, or True with Blocking. */
export type ActiveVerdict = Omit<ConditionInput, "type" | "observedGeneration">;

/** Why a rule does not block, in order; the first that fires sets Active False. None firing: Blocking. */
export const INACTIVE_CHECKS: readonly { name: string; check: (input: ActiveCheckInput) => string | undefined }[] = [
  // The cidr does not parse as gateways read it, so no gateway can enforce it.
  { name: "InvalidCIDR", check: ({ rule }) => (parseCidr(rule.spec?.cidr ?? "") ? undefined : `spec.cidr "${rule.spec?.cidr ?? ""}" is not an IPv4 or IPv6 address or CIDR block; no gateway enforces it`) },
  // The end of the block cannot be read: gateways refuse to guess, so nothing is blocked.
  { name: "InvalidExpiry", check: ({ expiry }) => (expiry.kind === "invalid" ? `${expiry.message}; no gateway enforces the rule` : undefined) },
  // Past its end (at the very instant too, as gateways compare).
  { name: "Expired", check: ({ expiry, now }) => (expiry.kind === "at" && expiry.ms <= now ? `the block ended at ${toRfc3339(expiry.ms)}; the rule is deleted at ${toRfc3339(expiry.ms + EXPIRED_RULE_GRACE_MS)}` : undefined) },
];

/** Active's verdict: the first inactive check that fires, else Blocking. */
export function activeVerdict(input: ActiveCheckInput): ActiveVerdict {
  for (const { name, check } of INACTIVE_CHECKS) {
    const message = check(input);
    if (message !== undefined) return { status: "False", reason: name, message };
  }
  const cidr = parseCidr(input.rule.spec?.cidr ?? "")?.text;
  const until = input.expiry.kind === "at" ? `until ${toRfc3339(input.expiry.ms)}` : "for good";
  return { status: "True", reason: "Blocking", message: `every gateway refuses ${cidr} ${until}` };
}

export function decideBlockRule(input: BlockRuleDecisionInput, now: number): BlockRulePlan {
  const { rule } = input;
  // Gone or going: nothing to write.
  if (!rule || rule.metadata.deletionTimestamp) return { action: "none" };
  const expiry = blockRuleExpiry(rule);
  const deleteAt = expiry.kind === "at" ? expiry.ms + EXPIRED_RULE_GRACE_MS : undefined;
  // Expired, and the grace is over: nobody needs to see it any more.
  if (deleteAt !== undefined && now >= deleteAt) return { action: "delete", reason: `expired at ${toRfc3339(deleteAt - EXPIRED_RULE_GRACE_MS)}` };

  const generation = rule.metadata.generation;
  const verdict = activeVerdict({ rule, expiry, now });
  const condition: ConditionInput = { type: CONDITION_ACTIVE, ...verdict, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
  const status: BlockRuleStatus = {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    active: verdict.status === "True",
    ...(expiry.kind === "at" ? { expiresAt: toRfc3339(expiry.ms) } : {}),
    conditions: setConditions(rule.status?.conditions, [condition], toRfc3339(now)),
  };
  // Wake exactly at expiry to mark the rule inactive, then at the end of the grace to delete it.
  const wakeAt = expiry.kind !== "at" ? undefined : expiry.ms > now ? expiry.ms : deleteAt;
  return { action: "writeStatus", status, ...(wakeAt !== undefined ? { requeueAfterMs: wakeAt - now } : {}) };
}
