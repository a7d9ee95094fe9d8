import { describe, expect, it } from "vitest";
import type { BlockRule } from "../../api/types/block-rule.js";
import { decideBlockRule, EXPIRED_RULE_GRACE_MS, INACTIVE_CHECKS, type BlockRulePlan } from "./block-rule-decision.js";

const CREATED = "2026-03-01T00:00:00Z";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const NOW_TEXT = "2026-03-01T12:00:00Z";
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

type Modifier = (r: BlockRule) => void;
function blockRule(...mods: Modifier[]): BlockRule {
  const r: BlockRule = {
    apiVersion: "security.clawbernetes.com/v1",
    kind: "BlockRule",
    metadata: { name: "block-203-0-113-42", generation: 1, creationTimestamp: CREATED },
    spec: { cidr: "203.0.113.42", reason: "Suspicious activity", source: "manual" },
  };
  for (const mod of mods) mod(r);
  return r;
}
const spec = (s: Partial<NonNullable<BlockRule["spec"]>>): Modifier => (r) => void (r.spec = { ...r.spec!, ...s });

const statusOf = (plan: BlockRulePlan) => (plan.action === "writeStatus" ? plan.status : expect.fail(`expected a status to write, got ${plan.action}`));

describe("decideBlockRule", () => {
  it.each<[string, BlockRule | undefined]>([
    ["does nothing for a rule that is gone", undefined],
    ["does nothing for a rule being deleted", blockRule((r) => void (r.metadata.deletionTimestamp = CREATED))],
  ])("%s", (_name, rule) => expect(decideBlockRule({ rule }, NOW)).toEqual({ action: "none" }));

  it.each<[string, BlockRule, { active: boolean; reason: string; expiresAt?: string; requeueAfterMs?: number; message?: RegExp }]>([
    ["blocks for good without duration or expiresAt, and never wakes", blockRule(), { active: true, reason: "Blocking", message: /refuses 203\.0\.113\.42\/32 for good/ }],
    ["blocks until spec.expiresAt and wakes exactly at it", blockRule(spec({ expiresAt: at(NOW + HOUR) })), { active: true, reason: "Blocking", expiresAt: at(NOW + HOUR), requeueAfterMs: HOUR, message: /until 2026-03-01T13:00:00Z/ }],
    ["counts spec.duration from creation and wakes at its end", blockRule(spec({ duration: "13h" })), { active: true, reason: "Blocking", expiresAt: "2026-03-01T13:00:00Z", requeueAfterMs: HOUR }],
    ["names the block in canonical form", blockRule(spec({ cidr: "2001:DB8::1/32" })), { active: true, reason: "Blocking", message: /refuses 2001:db8::\/32 for good/ }],
    ["is inactive at the very instant of expiry and wakes at the end of the grace", blockRule(spec({ expiresAt: NOW_TEXT })), { active: false, reason: "Expired", expiresAt: NOW_TEXT, requeueAfterMs: EXPIRED_RULE_GRACE_MS, message: /ended at 2026-03-01T12:00:00Z; the rule is deleted at 2026-03-01T13:00:00Z/ }],
    ["is inactive after its duration ran out, waking for what is left of the grace", blockRule(spec({ duration: "11h30m" })), { active: false, reason: "Expired", expiresAt: "2026-03-01T11:30:00Z", requeueAfterMs: HOUR / 2 }],
    ["is inactive with InvalidCIDR when the cidr does not parse", blockRule(spec({ cidr: "010.0.0.1" })), { active: false, reason: "InvalidCIDR", message: /spec\.cidr "010\.0\.0\.1" is not/ }],
    ["reports InvalidCIDR before an expiry", blockRule(spec({ cidr: "10.0.0.0/33", expiresAt: NOW_TEXT })), { active: false, reason: "InvalidCIDR", expiresAt: NOW_TEXT, requeueAfterMs: EXPIRED_RULE_GRACE_MS }],
    ["is inactive with InvalidExpiry when expiresAt cannot be read", blockRule(spec({ expiresAt: "tomorrow" })), { active: false, reason: "InvalidExpiry", message: /"tomorrow" is not an RFC 3339 time/ }],
    ["is inactive with InvalidExpiry when a duration has no creation time to count from", blockRule(spec({ duration: "1h" }), (r) => delete r.metadata.creationTimestamp), { active: false, reason: "InvalidExpiry" }],
  ])("%s", (_name, rule, expected) => {
    const plan = decideBlockRule({ rule }, NOW);
    const status = statusOf(plan);
    expect(status.active).toBe(expected.active);
    expect(status.expiresAt).toBe(expected.expiresAt);
    expect(status.observedGeneration).toBe(1);
    expect(plan.action === "writeStatus" ? plan.requeueAfterMs : undefined).toBe(expected.requeueAfterMs);
    const active = status.conditions?.find((c) => c.type === "Active");
    expect(active).toMatchObject({ status: expected.active ? "True" : "False", reason: expected.reason, observedGeneration: 1, lastTransitionTime: NOW_TEXT });
    if (expected.message) expect(active?.message).toMatch(expected.message);
  });

  it.each<[string, BlockRule]>([
    ["deletes a rule once the grace after expiresAt is over", blockRule(spec({ expiresAt: at(NOW - EXPIRED_RULE_GRACE_MS) }))],
    ["deletes an auto rule alike", blockRule(spec({ source: "auto", duration: "1h" }))],
    ["deletes an expired rule whose cidr does not parse", blockRule(spec({ cidr: "bogus", expiresAt: at(NOW - 2 * EXPIRED_RULE_GRACE_MS) }))],
  ])("%s", (_name, rule) => expect(decideBlockRule({ rule }, NOW)).toMatchObject({ action: "delete", reason: expect.stringMatching(/^expired at /) }));

  it("keeps lastTransitionTime while Active stays as it was", () => {
    const earlier = at(NOW - HOUR);
    const rule = blockRule((r) => void (r.status = { active: true, conditions: [{ type: "Active", status: "True", reason: "Blocking", message: "x", lastTransitionTime: earlier }] }));
    expect(statusOf(decideBlockRule({ rule }, NOW)).conditions?.[0]?.lastTransitionTime).toBe(earlier);
  });

  it("moves lastTransitionTime when the rule expires", () => {
    const earlier = at(NOW - HOUR);
    const rule = blockRule(spec({ expiresAt: NOW_TEXT }), (r) => void (r.status = { active: true, conditions: [{ type: "Active", status: "True", reason: "Blocking", message: "x", lastTransitionTime: earlier }] }));
    expect(statusOf(decideBlockRule({ rule }, NOW)).conditions?.[0]).toMatchObject({ status: "False", reason: "Expired", lastTransitionTime: NOW_TEXT });
  });

  it("orders its checks: an unusable cidr first, then an unreadable expiry, then expiry", () => {
    expect(INACTIVE_CHECKS.map((c) => c.name)).toEqual(["InvalidCIDR", "InvalidExpiry", "Expired"]);
  });
});
