// `claw security block | unblock`: a manual BlockRule named after the block (blockRuleName), created or
// renewed; unblocking deletes every rule of exactly that block, manual or auto.

import type { Command } from "commander";
import type { RestClient } from "../../../api/client/rest-client.js";
import { toRfc3339 } from "../../../api/machinery/clock.js";
import { isAlreadyExists, isConflict, isNotFound } from "../../../api/machinery/errors.js";
import { cidrContains, formatIp, parseCidr, parseIp, shortCidrText, type Cidr } from "../../../api/machinery/ip-address.js";
import type { BlockRule, BlockRuleSpec } from "../../../api/types/block-rule.js";
import { parseDuration } from "../../../api/types/duration.js";
import { BLOCKED_BY_ANNOTATION, blockRuleName } from "../../../api/types/guard-api.js";
import { AuthApi } from "../auth-api.js";
import { runAction } from "../cli-action.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { ExitCode } from "../exit-codes.js";
import { BLOCKRULES, FIELD_MANAGER, type SecurityCommandContext } from "./security-context.js";

/** The CRD's limit on spec.reason. */
const MAX_REASON = 1024;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** Attempts at writing the rule when another writer moves it in between. */
const WRITE_ATTEMPTS = 3;

export interface BlockTarget {
  cidr: Cidr;
  /** As people write it and as spec.cidr holds it: "203.0.113.42", "198.51.100.0/24". */
  text: string;
  /** The argument had host bits beyond its prefix, now cleared. */
  masked: boolean;
}

export type BlockLifetime = { kind: "duration"; duration: string; ms: number } | { kind: "until"; expiresAt: string } | { kind: "forever" };

export interface BlockFlags {
  reason?: string;
  duration?: string;
  expires?: string;
}

/** The address or block of `block` and `unblock`, refused with examples when it is neither. */
export function parseBlockTarget(arg: string): BlockTarget {
  const cidr = parseCidr(arg.trim());
  if (!cidr) throw new UsageError(`"${arg}" is not an IPv4 or IPv6 address or CIDR block; give one such as 203.0.113.42, 198.51.100.0/24 or 2001:db8::/32`);
  const given = parseIp(arg.trim().split("/")[0] ?? "");
  return { cidr, text: shortCidrText(cidr), masked: given !== undefined && formatIp(given) !== formatIp(cidr) };
}

/** --duration or --expires (not both), or neither for a block that lasts until it is removed. */
export function parseBlockLifetime(flags: BlockFlags, nowMs: number): BlockLifetime {
  if (flags.duration !== undefined && flags.expires !== undefined) throw new UsageError("give --duration or --expires, not both");
  if (flags.duration !== undefined) {
    try {
      return { kind: "duration", duration: flags.duration, ms: parseDuration(flags.duration) };
    } catch {
      throw new UsageError(`--duration: "${flags.duration}" is not a duration; write a number and a unit d, h, m or s, such as 24h, 30m or 1h30m`);
    }
  }
  if (flags.expires !== undefined) {
    const at = RFC3339.test(flags.expires) ? Date.parse(flags.expires) : NaN;
    if (Number.isNaN(at)) throw new UsageError(`--expires: "${flags.expires}" is not an RFC 3339 time such as 2026-05-06T08:00:00Z; for a length of time use --duration 24h`);
    if (at <= nowMs) throw new UsageError(`--expires: ${flags.expires} is in the past`);
    return { kind: "until", expiresAt: flags.expires };
  }
  return { kind: "forever" };
}

/** --reason, required: every block says why. */
export function parseReason(reason: string | undefined): string {
  const text = reason?.trim() ?? "";
  if (text === "") throw new UsageError('say why with --reason, such as --reason "Suspicious activity"');
  if (text.length > MAX_REASON) throw new UsageError(`--reason is ${text.length} characters long; at most ${MAX_REASON}`);
  return text;
}

export const lifetimeText = (l: BlockLifetime): string => (l.kind === "duration" ? `for ${l.duration}` : l.kind === "until" ? `until ${l.expiresAt}` : "for good");

/**
 * The rule's spec. A new rule takes the duration as given (counted from its creation); a rule renewed
 * in place was created earlier, so the duration becomes an expiresAt counted from now.
 */
export function blockSpec(opts: { target: BlockTarget; reason: string; lifetime: BlockLifetime; renewing: boolean; nowMs: number }): BlockRuleSpec {
  const { target, reason, lifetime } = opts;
  const until =
    lifetime.kind === "until" ? { expiresAt: lifetime.expiresAt }
    : lifetime.kind === "duration" ? (opts.renewing ? { expiresAt: toRfc3339(opts.nowMs + lifetime.ms) } : { duration: lifetime.duration })
    : {};
  return { cidr: target.text, reason, ...until, source: "manual" };
}

export function addBlockCommands(security: Command, ctx: SecurityCommandContext): void {
  const { session } = ctx;
  security
    .command("block")
    .description("block an address or CIDR block on every gateway: creates (or renews) the BlockRule block-…")
    .argument("<ip-or-cidr>", "such as 203.0.113.42, 198.51.100.0/24 or 2001:db8::/32")
    .option("--reason <text>", "why (required); shown in the blocklist and audit entries")
    .option("--duration <duration>", "how long, such as 24h, 30m or 7d")
    .option("--expires <time>", "until when, an RFC 3339 time such as 2026-05-06T08:00:00Z (instead of --duration)")
    .action(
      runAction(session, async (arg: string, flags: BlockFlags) => {
        const target = parseBlockTarget(arg);
        const reason = parseReason(flags.reason);
        const nowMs = session.clock.now();
        const lifetime = parseBlockLifetime(flags, nowMs);
        if (target.masked) session.err(`note: ${arg} has host bits set beyond /${target.cidr.prefix}; blocking the network ${target.text}`);
        const client = await session.client();
        const name = blockRuleName(target.text, "manual");
        const blockedBy = await callerName(client, session);
        const write = (renewing: boolean) => blockSpec({ target, reason, lifetime, renewing, nowMs });
        const outcome = await upsertBlockRule({ client, session, name, spec: write, blockedBy });
        session.out(`blocked ${target.text} ${lifetimeText(lifetime)} (blockrule/${name}${outcome === "renewed" ? " renewed" : ""})\n`);
      }),
    );

  security
    .command("unblock")
    .description("delete every BlockRule of exactly this address or block, manual or auto")
    .argument("<ip-or-cidr>")
    .action(
      runAction(session, async (arg: string) => {
        const target = parseBlockTarget(arg);
        const client = await session.client();
        const rules = (await client.list<BlockRule>(BLOCKRULES, { signal: session.deps.signal })).items;
        const exact = rules.filter((r) => parseCidr(r.spec?.cidr ?? "")?.text === target.cidr.text);
        const covering = rules.filter((r) => !exact.includes(r) && coversTarget(r, target));
        if (exact.length === 0) {
          session.err(`error: no BlockRule blocks exactly ${target.text}${covering.length ? `; it lies within ${ruleList(covering)}: unblock that block to lift it` : ""}`);
          throw new ReportedFailure(ExitCode.NotFound);
        }
        for (const rule of exact) {
          try {
            await client.delete(BLOCKRULES, rule.metadata.name, { signal: session.deps.signal });
          } catch (err) {
            // Gone meanwhile (expired and cleaned up, or unblocked twice at once): unblocked all the same.
            if (!isNotFound(err)) throw err;
          }
        }
        session.out(`unblocked ${target.text}: deleted ${exact.map((r) => `blockrule/${r.metadata.name} (${r.spec?.source ?? "manual"})`).join(", ")}\n`);
        if (covering.length) session.err(`note: ${target.text} is still within ${ruleList(covering)}`);
      }),
    );
}

const coversTarget = (rule: BlockRule, target: BlockTarget): boolean => {
  const cidr = parseCidr(rule.spec?.cidr ?? "");
  return cidr !== undefined && cidrContains(cidr, target.cidr);
};

const ruleList = (rules: BlockRule[]) => rules.map((r) => `blockrule/${r.metadata.name} (${r.spec?.cidr})`).join(", ");

/** The caller's username for the blocked-by annotation; none when the server will not say. */
async function callerName(client: RestClient, session: CliSession): Promise<string | undefined> {
  try {
    return (await new AuthApi(client, session.deps.signal).whoami()).username;
  } catch {
    // Only a label for the blocklist: the audit log records the writer regardless.
    return undefined;
  }
}

/** Creates the rule, or renews the one of that name (guarded by its resourceVersion, retried on a race). */
async function upsertBlockRule(opts: {
  client: RestClient;
  session: CliSession;
  name: string;
  spec: (renewing: boolean) => BlockRuleSpec;
  blockedBy: string | undefined;
}): Promise<"created" | "renewed"> {
  const { client, session, name, blockedBy } = opts;
  const signal = session.deps.signal;
  const annotations = blockedBy ? { [BLOCKED_BY_ANNOTATION]: blockedBy } : undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await getIfPresent(client, name, signal);
      if (!existing) {
        const rule: BlockRule = { apiVersion: "security.clawbernetes.com/v1", kind: "BlockRule", metadata: { name, ...(annotations ? { annotations } : {}) }, spec: opts.spec(false) };
        await client.create<BlockRule>(BLOCKRULES, rule, { fieldManager: FIELD_MANAGER, ...(signal ? { signal } : {}) });
        return "created";
      }
      const metadata = { ...existing.metadata, ...(annotations ? { annotations: { ...existing.metadata.annotations, ...annotations } } : {}) };
      await client.update<BlockRule>(BLOCKRULES, { ...existing, metadata, spec: opts.spec(true) }, { fieldManager: FIELD_MANAGER, ...(signal ? { signal } : {}) });
      return "renewed";
    } catch (err) {
      if (attempt < WRITE_ATTEMPTS && (isConflict(err) || isAlreadyExists(err))) continue;
      throw err;
    }
  }
}

async function getIfPresent(client: RestClient, name: string, signal: AbortSignal | undefined): Promise<BlockRule | undefined> {
  try {
    return await client.get<BlockRule>(BLOCKRULES, name, signal ? { signal } : {});
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
