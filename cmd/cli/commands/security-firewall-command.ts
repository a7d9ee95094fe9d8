// `claw security firewall`: the guide's Firewall Rules for a gateway, from its configuration (the API port of
// gateway.toml's [server] listen, WireGuard and a dashboard by flag) and the active BlockRules as drops.

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { parse as parseToml, TomlError } from "smol-toml";
import { parseCidr } from "../../../api/machinery/ip-address.js";
import type { BlockRule } from "../../../api/types/block-rule.js";
import { blockRuleExpiry } from "../../../api/types/block-rule-expiry.js";
import { runAction } from "../cli-action.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import { renderError } from "../error-render.js";
import { FIREWALL_FORMATS, renderFirewall, type BlockedSource, type FirewallFormat } from "../firewall-rules.js";
import { reclaimShadowedOption } from "../shadowed-option.js";
import { BLOCKRULES, type SecurityCommandContext } from "./security-context.js";

/** `claw server`'s listen address when gateway.toml does not set one. */
const DEFAULT_API_PORT = 8080;
/** The guide's WireGuard listen_port. */
const DEFAULT_WIREGUARD_PORT = 51820;

interface FirewallFlags {
  format: string;
  gatewayConfig?: string;
  mesh?: boolean;
  wireguardPort?: string;
  dashboardPort?: string;
  blocklist: boolean;
}

export function addFirewallCommand(security: Command, ctx: SecurityCommandContext): void {
  const { session } = ctx;
  security
    .command("firewall")
    .description("print the gateway's firewall rules (iptables-restore script or nft -f table): its ports open, active blocks dropped, all else dropped")
    .option("--format <format>", `${FIREWALL_FORMATS.join(" or ")}`, "iptables")
    // `claw --config` before the subcommand stays the kubeconfig that finds the server for the BlockRules.
    .option("--config <file>", `the gateway.toml whose [server] listen gives the API port (default ${DEFAULT_API_PORT}, as 'claw server' without one)`)
    .option("--gateway-config <file>", "the same as --config")
    .option("--mesh", `open WireGuard's UDP port (${DEFAULT_WIREGUARD_PORT} unless --wireguard-port)`)
    .option("--wireguard-port <port>", "the WireGuard listen_port; implies --mesh")
    .option("--dashboard-port <port>", "also open HTTPS for a dashboard on this port (443 by the guide); claw serves none itself")
    .option("--no-blocklist", "print the rules without the BlockRules, without asking a server")
    .action(
      runAction(session, async (flags: FirewallFlags, command: Command) => {
        // commander hands every --config to claw's kubeconfig flag: take back the one written after `firewall`.
        const gatewayConfig = gatewayConfigFlag(reclaimShadowedOption(command, "--config").local, flags.gatewayConfig);
        const format = parseFormat(flags.format);
        const wireguardPort = flags.wireguardPort !== undefined ? parsePort(flags.wireguardPort, "--wireguard-port") : flags.mesh ? DEFAULT_WIREGUARD_PORT : undefined;
        const dashboardPort = flags.dashboardPort !== undefined ? parsePort(flags.dashboardPort, "--dashboard-port") : undefined;
        const apiPort = gatewayConfig !== undefined ? await readApiPort(gatewayConfig) : DEFAULT_API_PORT;
        let blocked: BlockedSource[] = [];
        if (flags.blocklist) blocked = await activeBlocks(ctx);
        else session.err("note: --no-blocklist: the rules drop no BlockRule's addresses");
        session.out(renderFirewall({ apiPort, blocked, ...(dashboardPort !== undefined ? { dashboardPort } : {}), ...(wireguardPort !== undefined ? { wireguardPort } : {}) }, format));
      }),
    );
}

/** --config FILE as the issue spells it, or its older name --gateway-config; both only when they agree. */
function gatewayConfigFlag(config: string | undefined, gatewayConfig: string | undefined): string | undefined {
  if (config !== undefined && gatewayConfig !== undefined && resolve(config) !== resolve(gatewayConfig))
    throw new UsageError(`--config and --gateway-config are one option: give one file, not both "${config}" and "${gatewayConfig}"`);
  return config ?? gatewayConfig;
}

function parseFormat(text: string): FirewallFormat {
  const format = FIREWALL_FORMATS.find((f) => f === text);
  if (!format) throw new UsageError(`--format must be ${FIREWALL_FORMATS.join(" or ")}, not "${text}"`);
  return format;
}

export function parsePort(text: string, source: string): number {
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`${source} must be a port from 1 to 65535, not "${text}"`);
  return port;
}

/** The port of gateway.toml's [server] listen (HOST:PORT or [IPv6]:PORT, as `claw server` reads it); the default without one. */
export async function readApiPort(file: string): Promise<number> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read the gateway config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; pass the gateway.toml 'claw server --config' reads`);
  }
  let toml: Record<string, unknown>;
  try {
    toml = parseToml(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : "";
    throw new UsageError(`${path} is not valid TOML${where}: ${(err as Error).message.split("\n")[0]}`);
  }
  const server = toml.server;
  if (server === undefined) return DEFAULT_API_PORT;
  if (typeof server !== "object" || server === null || Array.isArray(server)) throw new UsageError(`${path}: [server] must be a table`);
  const listen = (server as Record<string, unknown>).listen;
  if (listen === undefined) return DEFAULT_API_PORT;
  const match = typeof listen === "string" ? /^(?:\[[0-9a-fA-F:]+\]|[^:]*):(\d{1,5})$/.exec(listen.trim()) : null;
  const port = match ? Number(match[1]) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`${path} [server] listen: ${JSON.stringify(listen)} is not HOST:PORT (for example 0.0.0.0:8080 or [::]:8080)`);
  return port;
}

/** The BlockRules gateways enforce now; failing to list them fails the command, so no rules print without them. */
async function activeBlocks(ctx: SecurityCommandContext): Promise<BlockedSource[]> {
  const { session } = ctx;
  let rules: BlockRule[];
  try {
    rules = (await (await session.client()).list<BlockRule>(BLOCKRULES, { signal: session.deps.signal })).items;
  } catch (err) {
    const rendered = renderError(err, session.errorContext("listing BlockRules"));
    if (rendered.message) session.err(rendered.message);
    session.err("no rules printed: they would lack the active BlockRules; pass --no-blocklist to print them without");
    throw new ReportedFailure(rendered.exitCode);
  }
  return activeBlockSources(rules, session.clock.now());
}

/** Each rule gateways refuse now (a block they can read, not past its end, as the blocklist's ACTIVE), with its name and reason. */
export function activeBlockSources(rules: readonly BlockRule[], nowMs: number): BlockedSource[] {
  return rules.flatMap((rule) => {
    const cidr = rule.spec?.cidr ?? "";
    const expiry = blockRuleExpiry(rule);
    if (!parseCidr(cidr) || expiry.kind === "invalid" || (expiry.kind === "at" && expiry.ms <= nowMs)) return [];
    const reason = rule.spec?.reason;
    return [{ cidr, comment: reason ? `${rule.metadata.name}: ${reason}` : rule.metadata.name }];
  });
}
