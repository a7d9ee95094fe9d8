// `claw security blocklist`: every BlockRule as a person reads it — the block, why, who, how long is left,
// and whether gateways refuse it now.

import type { Command } from "commander";
import type { ManagedFieldsEntry } from "../../../api/machinery/meta.js";
import { parseCidr } from "../../../api/machinery/ip-address.js";
import type { BlockRule } from "../../../api/types/block-rule.js";
import { blockRuleExpiry, type BlockRuleExpiry } from "../../../api/types/block-rule-expiry.js";
import { BLOCKED_BY_ANNOTATION } from "../../../api/types/guard-api.js";
import { runAction } from "../cli-action.js";
import { renderRows } from "../printers/row-table.js";
import { BLOCKRULES, type SecurityCommandContext } from "./security-context.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function addBlocklistCommand(security: Command, ctx: SecurityCommandContext): void {
  const { session } = ctx;
  security
    .command("blocklist")
    .description("list blocked addresses and blocks: SOURCE, REASON, BY, EXPIRES IN, ACTIVE")
    .action(
      runAction(session, async () => {
        const list = await (await session.client()).list<BlockRule>(BLOCKRULES, { signal: session.deps.signal });
        if (list.items.length === 0) return session.err("No resources found");
        session.out(renderBlocklist(list.items, session.clock.now()));
      }),
    );
}

/** The table, IPv4 before IPv6, in address order, wider blocks before the ones they hold. */
export function renderBlocklist(rules: readonly BlockRule[], nowMs: number): string {
  const rows = [...rules].sort(byAddress).map((rule) => {
    // From the spec, as gateways read it: status.expiresAt lags a renewal until the controller catches up.
    const expiry = blockRuleExpiry(rule);
    return [rule.spec?.cidr ?? "<none>", rule.spec?.reason || "<none>", blockedBy(rule), expiresIn(expiry, nowMs), isActive(rule, expiry, nowMs) ? "yes" : "no"];
  });
  return renderRows(["Source", "Reason", "By", "Expires In", "Active"].map((name) => ({ name })), rows, nowMs);
}

/** auto for the auto-blocker; for a person, the blocked-by annotation, else the first writer's field manager. */
export function blockedBy(rule: BlockRule): string {
  if (rule.spec?.source === "auto") return "auto";
  const annotated = rule.metadata.annotations?.[BLOCKED_BY_ANNOTATION];
  if (annotated) return annotated;
  const spec = (rule.metadata.managedFields ?? []).filter((f: ManagedFieldsEntry) => f.subresource === undefined);
  const first = [...spec].sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""))[0];
  return first?.manager ?? "<unknown>";
}

/** "23h59m", "6d23h", "45m", "30s"; "never" for a permanent block, "expired" once past. */
export function expiresIn(expiry: BlockRuleExpiry, nowMs: number): string {
  if (expiry.kind === "never") return "never";
  if (expiry.kind === "invalid") return "<invalid>";
  const left = expiry.ms - nowMs;
  if (left <= 0) return "expired";
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) => `${big}${bigUnit}${small ? `${small}${smallUnit}` : ""}`;
  if (left >= DAY) return two(Math.floor(left / DAY), "d", Math.floor((left % DAY) / HOUR), "h");
  if (left >= HOUR) return two(Math.floor(left / HOUR), "h", Math.floor((left % HOUR) / MINUTE), "m");
  if (left >= MINUTE) return two(Math.floor(left / MINUTE), "m", Math.floor((left % MINUTE) / 1000), "s");
  return `${Math.ceil(left / 1000)}s`;
}

/** Whether gateways refuse it now: a block they can read, and not past its end (they do not wait for status.active). */
function isActive(rule: BlockRule, expiry: BlockRuleExpiry, nowMs: number): boolean {
  if (!parseCidr(rule.spec?.cidr ?? "") || expiry.kind === "invalid") return false;
  return expiry.kind === "never" || expiry.ms > nowMs;
}

function byAddress(a: BlockRule, b: BlockRule): number {
  const x = parseCidr(a.spec?.cidr ?? "");
  const y = parseCidr(b.spec?.cidr ?? "");
  if (!x || !y) return (x ? -1 : y ? 1 : 0) || a.metadata.name.localeCompare(b.metadata.name);
  if (x.family !== y.family) return x.family - y.family;
  for (let i = 0; i < x.bytes.length; i++) if (x.bytes[i] !== y.bytes[i]) return (x.bytes[i] ?? 0) - (y.bytes[i] ?? 0);
  return x.prefix - y.prefix || a.metadata.name.localeCompare(b.metadata.name);
}
