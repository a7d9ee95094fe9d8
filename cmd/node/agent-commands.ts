// `claw node join` and `claw node run`, the agent's commands, added to the CLI's `node` group by cmd/claw.ts.
// Both read clawnode.toml (--config, default /etc/clawbernetes/clawnode.toml).

import { readFileSync } from "node:fs";
import { networkInterfaces, hostname } from "node:os";
import { Command } from "commander";
import { systemClock, type Clock } from "../../api/machinery/clock.js";
import { BOOTSTRAP_TOKEN } from "../../api/types/nodes-api.js";
import { BlocklistFirewall } from "./blocklist-firewall.js";
import { ProcessCommandRunner, type CommandRunner } from "./command-runner.js";
import { meshDriverFor } from "./mesh-drivers.js";
import { runNodeAgent, type AgentLog, type BlocklistEnforcer } from "./node-agent.js";
import { parseNodeConfig, NodeConfigError, type NodeConfig } from "./node-config.js";
import { nodeNameOf, readCredentials, type TlsPaths } from "./node-credentials.js";
import { CA_CERT_HASH, joinNode, type GatewayTrust } from "./node-join.js";

export interface AgentCommandDeps {
  env: NodeJS.ProcessEnv;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  signal: AbortSignal;
  /** Registers what ends `run` on SIGTERM. */
  onTerminate?: (stop: () => void) => void;
  version: string;
  clock?: Clock;
  runner?: CommandRunner;
}

export const DEFAULT_NODE_CONFIG = "/etc/clawbernetes/clawnode.toml";
const DEFAULT_TLS: TlsPaths = { cert: "/etc/clawbernetes/pki/node.crt", key: "/etc/clawbernetes/pki/node.key", ca: "/etc/clawbernetes/pki/ca.crt" };
const NODE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function addNodeAgentCommands(node: Command, deps: AgentCommandDeps): void {
  node
    .command("join")
    .description("join this node to the cluster with a bootstrap token: make a key pair here, send only a CSR, and write the certificate to clawnode.toml's [tls] paths")
    .option("--token <token>", "the bootstrap token from `claw node token create` (clbt_…)")
    .option("--config <file>", `clawnode.toml (default ${DEFAULT_NODE_CONFIG})`)
    .option("--gateway <url>", "the claw API, https://host:port (default: clawnode.toml [node] gateway)")
    .option("--name <name>", "the node's name (default: clawnode.toml [node] name, else this host's name)")
    .option("--ca <file>", "the CA certificate that signed the gateway's (default: clawnode.toml [tls] ca when it exists)")
    .option("--ca-cert-hash <sha256:hex>", "trust the gateway's CA by the hash `claw node token create` prints, instead of a file")
    .action(async (flags: { token?: string; config?: string; gateway?: string; name?: string; ca?: string; caCertHash?: string }, command: Command) =>
      guarded(deps, async () => {
        const config = loadConfig(configPath(flags.config, command));
        // `--token` is also the CLI's bearer-token flag, which commander may hand to the program instead.
        const token = inherited("token", flags.token, command);
        if (!token) throw new UsageError("say which bootstrap token to join with: --token clbt_… (an admin creates one with `claw node token create`)");
        if (!BOOTSTRAP_TOKEN.test(token)) throw new UsageError("--token must be a bootstrap token as `claw node token create` prints it: clbt_, 8 characters, a dot, and 43 more");
        const name = flags.name ?? config?.node.name ?? hostname().toLowerCase().split(".")[0]!;
        if (!NODE_NAME.test(name)) throw new UsageError(`the node name ${JSON.stringify(name)} is not a DNS label; pass --name, such as --name gpu-node-1`);
        const gateway = gatewayOf(flags.gateway, config);
        const tls = config?.tls ?? DEFAULT_TLS;
        const trust = trustOf(flags, tls);
        const credentials = await joinNode({ gateway, token, name, tls, trust, version: deps.version });
        deps.stdout(`node ${name} joined: certificate ${credentials.certificateName} (serial ${credentials.serialNumber}) valid until ${credentials.notAfter}`);
        deps.stdout(`wrote ${tls.cert}, ${tls.key} (0600, made here and never sent) and ${tls.ca}`);
        deps.stdout(`start the agent: claw node run --config ${configPath(flags.config, command)}`);
      }),
    );
  node
    .command("run")
    .description("run the node agent: one session to the gateway with the node certificate, heartbeats, certificate renewal by CSR, the WireGuard or Tailscale mesh and the kernel blocklist")
    .option("--config <file>", `clawnode.toml (default ${DEFAULT_NODE_CONFIG})`)
    .option("--gateway <url>", "the claw API, https://host:port (default: clawnode.toml [node] gateway)")
    .action(async (flags: { config?: string; gateway?: string }, command: Command) =>
      guarded(deps, async () => {
        const path = configPath(flags.config, command);
        const config = loadConfig(path);
        if (!config) throw new UsageError(`${path} does not exist: write clawnode.toml (the guide's [tls] and [network] blocks) or pass --config FILE`);
        const gateway = gatewayOf(flags.gateway, config);
        const tls = config.tls ?? DEFAULT_TLS;
        const clock = deps.clock ?? systemClock;
        const runner = deps.runner ?? new ProcessCommandRunner({ env: deps.env });
        const log = jsonLog(deps.stderr);
        const name = config.node.name ?? nodeNameOf(readCredentials(tls).certPem) ?? "";
        const mesh = meshDriverFor(config, { runner, clock, env: deps.env, nodeName: name, log: (m, f) => log.info(m, f) });
        const blocklist: BlocklistEnforcer | undefined = config.network.firewall.enforceBlocklist ? new BlocklistFirewall({ backend: config.network.firewall.backend, runner }) : undefined;
        log.info("node agent starting", { node: name, gateway, mesh: config.network.provider, enforceBlocklist: blocklist !== undefined });
        const stop = new AbortController();
        deps.signal.addEventListener("abort", () => stop.abort(), { once: true });
        deps.onTerminate?.(() => stop.abort());
        await runNodeAgent({ gateway, tls, name, version: deps.version, clock, log, mesh, ...(blocklist ? { blocklist } : {}), addresses: localAddresses, signal: stop.signal });
        log.info("node agent stopped", { node: name });
      }),
    );
}

class UsageError extends Error {}

async function guarded(deps: AgentCommandDeps, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    deps.stderr(`error: ${(err as Error).message}`);
    process.exitCode = err instanceof UsageError || err instanceof NodeConfigError ? 2 : 1;
  }
}

/** An option that may land on the subcommand or, as the CLI's own flag of that name, on the program. */
function inherited(option: "config" | "token", flag: string | undefined, command: Command): string | undefined {
  for (let c: Command | null = command; flag === undefined && c; c = c.parent) flag = c.opts<Record<string, string | undefined>>()[option];
  return flag;
}

const configPath = (flag: string | undefined, command: Command): string => inherited("config", flag, command) ?? DEFAULT_NODE_CONFIG;

function loadConfig(path: string): NodeConfig | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  return parseNodeConfig(text, { source: path });
}

function gatewayOf(flag: string | undefined, config: NodeConfig | undefined): string {
  const gateway = flag ?? config?.node.gateway;
  if (!gateway) throw new UsageError("say where the gateway is: --gateway https://host:port, or [node] gateway in clawnode.toml");
  if (!/^https:\/\/[^/\s]+$/.test(gateway.replace(/\/$/, ""))) throw new UsageError(`--gateway must be https://host:port, not ${JSON.stringify(gateway)}`);
  return gateway.replace(/\/$/, "");
}

function trustOf(flags: { ca?: string; caCertHash?: string }, tls: TlsPaths): GatewayTrust {
  if (flags.caCertHash) {
    if (!CA_CERT_HASH.test(flags.caCertHash)) throw new UsageError("--ca-cert-hash must be sha256: and 64 lower-case hex digits, as `claw node token create` prints it");
    return { caCertHash: flags.caCertHash };
  }
  const path = flags.ca ?? tls.ca;
  try {
    return { caPem: readFileSync(path, "utf8") };
  } catch {
    throw new UsageError(`cannot read the gateway's CA from ${path}: pass --ca FILE or --ca-cert-hash sha256:… (claw node token create prints it)`);
  }
}

/** The node's addresses: every interface's but loopback and link-local. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && !a.address.startsWith("fe80:"))
    .map((a) => a.address)
    .slice(0, 32);
}

/** One JSON object per line on stderr, as a service's journal reads best. */
function jsonLog(write: (line: string) => void): AgentLog {
  const line = (level: string) => (message: string, fields: Record<string, unknown> = {}) => write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields }));
  return { info: line("info"), warn: line("warn") };
}
