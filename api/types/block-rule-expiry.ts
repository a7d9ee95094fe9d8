// When a BlockRule ends, as the blockrules controller, the guard and `claw security` all read it:
// spec.expiresAt, or metadata.creationTimestamp plus spec.duration, or never.

import type { BlockRule } from "./block-rule.js";
import { parseDuration } from "./duration.js";

export type BlockRuleExpiry = { kind: "never" } | { kind: "at"; ms: number } | { kind: "invalid"; message: string };

export function blockRuleExpiry(rule: Pick<BlockRule, "metadata" | "spec">): BlockRuleExpiry {
  const spec = rule.spec;
  if (spec?.expiresAt !== undefined) {
    const ms = Date.parse(spec.expiresAt);
    return Number.isNaN(ms) ? { kind: "invalid", message: `spec.expiresAt "${spec.expiresAt}" is not an RFC 3339 time` } : { kind: "at", ms };
  }
  if (spec?.duration === undefined) return { kind: "never" };
  const created = Date.parse(rule.metadata.creationTimestamp ?? "");
  if (Number.isNaN(created)) return { kind: "invalid", message: "spec.duration counts from metadata.creationTimestamp, which is missing" };
  try {
    return { kind: "at", ms: created + parseDuration(spec.duration) };
  } catch (err) {
    return { kind: "invalid", message: `spec.duration: ${(err as Error).message}` };
  }
}
