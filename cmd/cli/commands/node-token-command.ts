// `claw node token create | list | delete`: bootstrap tokens (kubeadm's), the short-lived credential a new
// node joins with. The token is printed once, by create; the server keeps only its hash.

import { X509Certificate } from "node:crypto";
import type { Command } from "commander";
import YAML from "yaml";
import { isNotFound } from "../../../api/machinery/errors.js";
import { parseDuration } from "../../../api/types/duration.js";
import { BOOTSTRAP_TOKEN, BOOTSTRAP_TOKEN_PREFIX, type BootstrapTokenCreated, type BootstrapTokenInfo, type BootstrapTokenRequest } from "../../../api/types/nodes-api.js";
import { runAction } from "../cli-action.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { ExitCode } from "../exit-codes.js";
import { humanDuration } from "../printers/age.js";
import { renderRows } from "../printers/row-table.js";
import { parseOutput, type NodeCommandContext } from "./node-context.js";

const MAX_TTL_MS = 24 * 3_600_000;
const MIN_TTL_MS = 60_000;
const MAX_USES = 100;
const MAX_DESCRIPTION = 256;
const NODE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const TOKEN_ID = /^[a-z0-9]{8}$/;
const OUTPUTS = ["json", "yaml"] as const;

interface CreateFlags {
  ttl: string;
  uses: string;
  node?: string;
  description?: string;
  output?: string;
}

export function addNodeTokenCommands(node: Command, ctx: NodeCommandContext): void {
  const { session } = ctx;
  const token = node
    .command("token")
    .description("bootstrap tokens a new node joins with: create (shown once), list, delete")
    .addHelpText("after", "\nExamples:\n  claw node token create --ttl 1h --uses 1 --node gpu-node-1\n  claw node token list\n  claw node token delete abcd1234\n");

  token
    .command("create")
    .description("create a bootstrap token and print it, once, with the command that joins a node")
    .option("--ttl <duration>", "how long it may be used, 1m to 24h, such as 30m or 1h", "1h")
    .option("--uses <n>", `how many nodes may join with it, 1–${MAX_USES}`, "1")
    .option("--node <name>", "only a node of this name may join with it")
    .option("--description <text>", "what it is for, shown by 'claw node token list'")
    .option("-o, --output <format>", "json or yaml: the server's answer, token included")
    .addHelpText(
      "after",
      `
The token is shown this once: the server keeps only its hash. Anyone holding it can join a node until it
expires or its uses are spent, so pass it to the node over a safe channel and give it a short --ttl.

Examples:
  claw node token create
  claw node token create --ttl 30m --node gpu-node-1 --description "rack 4"
  claw node token create --ttl 2h --uses 10 -o json | jq -r .token
`,
    )
    .action(
      runAction(session, async (flags: CreateFlags) => {
        const output = parseOutput(flags.output, OUTPUTS);
        const created = await (await ctx.nodes()).createToken(tokenRequest(flags));
        if (output) return session.out(formatValue(created, output));
        const config = await session.config();
        session.out(renderCreatedToken(created, config.server, caCertHash(config.tls.ca)));
      }),
    );

  token
    .command("list")
    .description("list the bootstrap tokens still usable (never their secrets): id, expiry, uses left, node, description, creator")
    .option("-o, --output <format>", "json or yaml")
    .action(
      runAction(session, async (flags: { output?: string }) => {
        const output = parseOutput(flags.output, OUTPUTS);
        const list = await (await ctx.nodes()).listTokens();
        if (output) return session.out(formatValue(list, output));
        if (list.items.length === 0) return session.err("No bootstrap tokens found");
        session.out(renderTokenTable(list.items, session.clock.now()));
      }),
    );

  token
    .command("delete")
    .description("delete a bootstrap token: no node can join with it from now on")
    .argument("<id>", "the token's id, as 'claw node token list' shows it")
    .action(
      runAction(session, async (ref: string) => {
        const id = tokenId(ref);
        let deleted: BootstrapTokenInfo;
        try {
          deleted = await (await ctx.nodes()).deleteToken(id);
        } catch (err) {
          throw isNotFound(err) ? tokenNotFound(session, id) : err;
        }
        session.out(`bootstrap token ${deleted.id} deleted (${deleted.usesLeft} ${deleted.usesLeft === 1 ? "use was" : "uses were"} left)\n`);
      }),
    );
}

/** The request body from the flags, every one checked before anything is sent. */
export function tokenRequest(flags: CreateFlags): BootstrapTokenRequest {
  parseTtl(flags.ttl);
  const uses = parseUses(flags.uses);
  if (flags.node !== undefined && !NODE_NAME.test(flags.node)) throw new UsageError(`--node: "${flags.node}" is not a node name; use a DNS label such as gpu-node-1`);
  if (flags.description !== undefined && flags.description.length > MAX_DESCRIPTION) throw new UsageError(`--description: at most ${MAX_DESCRIPTION} characters`);
  return { ttl: flags.ttl, uses, ...(flags.node !== undefined ? { node: flags.node } : {}), ...(flags.description ? { description: flags.description } : {}) };
}

/** --ttl in milliseconds: a duration with a unit, from a minute to a day. */
export function parseTtl(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    if (/^\d+$/.test(text)) throw new UsageError(`--ttl: "${text}" has no unit; add one, such as ${text}m`);
    throw new UsageError(`--ttl: "${text}" is not a duration; write a number and a unit h, m or s, such as 1h or 30m`);
  }
  if (ms > MAX_TTL_MS) throw new UsageError(`--ttl: ${text} is longer than 24h; a bootstrap token is meant to be short-lived, so create another when you need it`);
  if (ms < MIN_TTL_MS) throw new UsageError(`--ttl: ${text} is shorter than a minute, too short to join a node with`);
  return ms;
}

/** --uses: a whole number from 1 to 100. */
export function parseUses(text: string): number {
  const uses = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(uses >= 1 && uses <= MAX_USES)) throw new UsageError(`--uses: "${text}" is not in the range 1–${MAX_USES} (how many nodes may join with the token)`);
  return uses;
}

/** A token id, also from `clbt_<id>` or a whole token (whose secret is then never sent anywhere). */
export function tokenId(ref: string): string {
  const whole = BOOTSTRAP_TOKEN.exec(ref);
  const id = whole ? whole[1]! : ref.startsWith(BOOTSTRAP_TOKEN_PREFIX) ? ref.slice(BOOTSTRAP_TOKEN_PREFIX.length) : ref;
  if (!TOKEN_ID.test(id)) throw new UsageError(`"${ref}" is not a token id (8 lowercase letters and digits); 'claw node token list' shows them`);
  return id;
}

function tokenNotFound(session: CliSession, id: string): ReportedFailure {
  session.err(`error: there is no bootstrap token ${id} (an expired or used-up token is gone already); 'claw node token list' shows the tokens there are`);
  return new ReportedFailure(ExitCode.NotFound);
}

const formatValue = (value: unknown, format: (typeof OUTPUTS)[number]) => (format === "json" ? `${JSON.stringify(value, null, 2)}\n` : YAML.stringify(value));

/**
 * The sha256:… of the CA this client trusts the server by (the first certificate of the bundle), which the
 * node checks the gateway's chain against before it sends the token, as kubeadm's discovery hash.
 */
function caCertHash(ca: string | Buffer | undefined): string | undefined {
  const first = ca?.toString().match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/)?.[0];
  if (!first) return undefined;
  try {
    return `sha256:${new X509Certificate(first).fingerprint256.replace(/:/g, "").toLowerCase()}`;
  } catch {
    return undefined;
  }
}

/** What create prints: the token, the join command, and that neither is shown again. */
export function renderCreatedToken(created: BootstrapTokenCreated, server: string, caHash?: string): string {
  const uses = `${created.usesLeft} ${created.usesLeft === 1 ? "use" : "uses"}`;
  const scope = created.node ? `, only for node ${created.node}` : "";
  return [
    `Bootstrap token ${created.id} created (expires ${created.expiresAt}, ${uses}${scope})`,
    "",
    `  ${created.token}`,
    "",
    "Join a node with it, on the node:",
    "",
    `  claw node join --token ${created.token} --gateway ${server}${caHash ? ` --ca-cert-hash ${caHash}` : ""}`,
    "",
    "WARNING: The token will not be shown again!",
    "",
  ].join("\n");
}

export function renderTokenTable(tokens: readonly BootstrapTokenInfo[], nowMs: number): string {
  const rows = tokens.map((t) => [t.id, expires(t.expiresAt, nowMs), t.usesLeft, t.node ?? "any", t.description, t.createdBy]);
  return renderRows(["ID", "Expires", "Uses Left", "Node", "Description", "Created By"].map((name) => ({ name })), rows, nowMs);
}

/** "in 45m"; "expired" once past (the server drops those from its list). */
function expires(expiresAt: string, nowMs: number): string {
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return expiresAt;
  return at <= nowMs ? "expired" : `in ${humanDuration(at - nowMs)}`;
}
