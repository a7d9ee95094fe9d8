// One WireGuard interface kept in step with the gateway, through the system's `ip` and `wg`. The kernel's
// WireGuard when it has one, else wireguard-go, a user-space daemon behind a TUN device: it keeps running
// after the command that started it returns, and ends by itself when the device is deleted (`ip link del`),
// removing its control socket /var/run/wireguard/NAME.sock. That folder is the machine's, shared by every
// network namespace, so two agents on one machine need different interface names.
// The private key reaches WireGuard only as its file's path (`wg set NAME private-key PATH`).

import type { Clock } from "../../api/machinery/clock.js";
import type { MeshPeer } from "../../api/types/nodes-api.js";
import { isCommandNotFound, type CommandResult, type CommandRunner, type RunOptions } from "./command-runner.js";
import { observeDump, parseWireGuardDump, type MeshObservation, type WireGuardDump } from "./wireguard-dump.js";
import { planPeers, type PeerPlan } from "./wireguard-peer-plan.js";

export interface WireGuardUp {
  /** The interface's name, a Linux interface name (clawnode.toml [network.wireguard] interface). */
  name: string;
  privateKeyPath: string;
  listenPort: number;
  /** The node's mesh address with the mesh's prefix length, such as "10.100.0.5/16". */
  address: string;
}

export type WireGuardImplementation = "kernel" | "wireguard-go";

export interface WireGuardUpResult {
  implementation: WireGuardImplementation;
  /** False when the interface was there already (the agent restarted): it was set up again in place. */
  created: boolean;
}

export interface PeerOptions {
  /** Seconds, 0 for off. */
  persistentKeepalive: number;
  /** clawnode.toml allowed_ips, "Allowed peer subnets": a peer's addresses are routed only inside these. */
  allowedIps?: string[];
}

export interface PeerChanges {
  added: string[];
  updated: string[];
  /** Public keys: a removed peer's name is no longer known. */
  removed: string[];
  /** Peers left out (bad key, endpoint or CIDR; no address inside allowed_ips), with why. */
  skipped: PeerPlan["skipped"];
  unrouted: PeerPlan["unrouted"];
  /** Peers whose `wg set` failed, with wg's message; the others were still applied. */
  failed: { name: string; message: string }[];
}

export class WireGuardError extends Error {
  override name = "WireGuardError";
}

/** What `ip link add … type wireguard` says when the kernel has no WireGuard. */
const NO_KERNEL_WIREGUARD = /Unknown device type|Operation not supported|not supported/i;

export class WireGuardInterface {
  private name: string | undefined;
  /** The endpoint this object last set for each peer; see PeerPlanInput.lastEndpoints. */
  private readonly lastEndpoints = new Map<string, string>();

  constructor(private readonly deps: { runner: CommandRunner; clock: Clock }) {}

  /** Creates the interface (or finds it), sets its key, port and address, and brings it up; idempotent. */
  async up(spec: WireGuardUp): Promise<WireGuardUpResult> {
    this.name = spec.name;
    const existing = await this.deps.runner.run("ip", ["-details", "link", "show", "dev", spec.name]);
    let result: WireGuardUpResult;
    // The kernel's shows a details line "    wireguard …"; wireguard-go's TUN device, "    tun type tun …".
    if (existing.code === 0) result = { implementation: /^\s+wireguard\b/m.test(existing.stdout) ? "kernel" : "wireguard-go", created: false };
    else result = { implementation: await this.create(spec.name), created: true };
    await this.wg(["set", spec.name, "private-key", spec.privateKeyPath, "listen-port", String(spec.listenPort)], "set the private key and listen port");
    await this.ip(["address", "replace", spec.address, "dev", spec.name], `give ${spec.name} the address ${spec.address}`);
    // An address the gateway gave before (the Node was removed and joined again) must not linger beside the new one.
    if (!result.created) for (const stale of await this.addresses(spec.name)) if (stale !== spec.address) await this.ip(["address", "del", stale, "dev", spec.name], `remove the old address ${stale} from ${spec.name}`);
    await this.ip(["link", "set", spec.name, "up"], `bring ${spec.name} up`);
    return result;
  }

  private async create(name: string): Promise<WireGuardImplementation> {
    const kernel = await this.deps.runner.run("ip", ["link", "add", name, "type", "wireguard"]);
    if (kernel.code === 0) return "kernel";
    if (!NO_KERNEL_WIREGUARD.test(kernel.stderr)) throw new WireGuardError(`cannot create the WireGuard interface ${name}: ip link add: ${oneLine(kernel)}`);
    // With a LOG_LEVEL its daemon would keep our pipes open, and the run would not end. (WG_PROCESS_FOREGROUND
    // must be left alone: it appends its own, and Go reads the first of two, so ours would make it fork forever.)
    const quiet: RunOptions = { env: { LOG_LEVEL: "" } };
    let started: CommandResult;
    try {
      started = await this.deps.runner.run("wireguard-go", [name], quiet);
    } catch (err) {
      if (!isCommandNotFound(err)) throw err;
      throw new WireGuardError(
        `cannot create the WireGuard interface ${name}: the kernel has no WireGuard (ip link add: ${oneLine(kernel)}) and wireguard-go is not installed; install it (Debian: apt-get install wireguard-go) or load the kernel's module (modprobe wireguard)`,
      );
    }
    if (started.code !== 0) throw new WireGuardError(`cannot create the WireGuard interface ${name}: wireguard-go: ${oneLine(started)}`);
    return "wireguard-go";
  }

  /** Makes the interface's peers exactly `peers` (as allowed_ips allows), changing only what differs. */
  async setPeers(peers: readonly MeshPeer[], opts: PeerOptions): Promise<PeerChanges> {
    const name = this.upName();
    const dump = await this.dump();
    const plan = planPeers({
      ...(dump.publicKey !== undefined ? { self: dump.publicKey } : {}),
      current: dump.peers,
      wanted: peers,
      persistentKeepalive: opts.persistentKeepalive,
      ...(opts.allowedIps !== undefined ? { allowedIps: opts.allowedIps } : {}),
      lastEndpoints: this.lastEndpoints,
    });
    const changes: PeerChanges = { added: [], updated: [], removed: [], skipped: plan.skipped, unrouted: plan.unrouted, failed: [] };
    for (const key of plan.remove) {
      await this.wg(["set", name, "peer", key, "remove"], "remove a peer");
      this.lastEndpoints.delete(key);
      changes.removed.push(key);
    }
    for (const set of plan.set) {
      const answer = await this.runWg(["set", name, ...set.args]);
      if (answer.code !== 0) {
        changes.failed.push({ name: set.name, message: oneLine(answer) });
        continue;
      }
      if (set.endpoint !== undefined) this.lastEndpoints.set(set.publicKey, set.endpoint);
      (set.change === "add" ? changes.added : changes.updated).push(set.name);
    }
    return changes;
  }

  /** The peers' handshakes and traffic, for the heartbeat. */
  async observe(): Promise<MeshObservation> {
    return observeDump(await this.dump(), this.deps.clock.now());
  }

  /** Deletes the interface; wireguard-go, if it ran it, then ends by itself. Nothing to do when it is gone already. */
  async down(): Promise<void> {
    const name = this.upName();
    const answer = await this.deps.runner.run("ip", ["link", "del", "dev", name]);
    if (answer.code !== 0 && !/Cannot find device|does not exist/i.test(answer.stderr)) throw new WireGuardError(`cannot delete ${name}: ip link del: ${oneLine(answer)}`);
    this.lastEndpoints.clear();
  }

  private upName(): string {
    if (this.name === undefined) throw new WireGuardError("the WireGuard interface is not up: call up() first");
    return this.name;
  }

  private async dump(): Promise<WireGuardDump> {
    const name = this.upName();
    const answer = await this.runWg(["show", name, "dump"]);
    if (answer.code !== 0) throw new WireGuardError(`cannot read ${name}: wg show dump: ${oneLine(answer)}`);
    return parseWireGuardDump(answer.stdout);
  }

  /** The interface's addresses with their prefix lengths, as `ip -o address show` lists them. */
  private async addresses(name: string): Promise<string[]> {
    const answer = await this.deps.runner.run("ip", ["-o", "address", "show", "dev", name]);
    if (answer.code !== 0) return [];
    return [...answer.stdout.matchAll(/\binet6? (\S+)/g)].map((m) => m[1]!).filter((a) => !a.startsWith("fe80:"));
  }

  private async ip(args: string[], what: string): Promise<void> {
    const answer = await this.deps.runner.run("ip", args);
    if (answer.code !== 0) throw new WireGuardError(`cannot ${what}: ip ${args.join(" ")}: ${oneLine(answer)}`);
  }

  private async wg(args: string[], what: string): Promise<void> {
    const answer = await this.runWg(args);
    if (answer.code !== 0) throw new WireGuardError(`cannot ${what} on ${this.name}: wg ${args[0]}: ${oneLine(answer)}`);
  }

  private async runWg(args: string[]): Promise<CommandResult> {
    try {
      return await this.deps.runner.run("wg", args);
    } catch (err) {
      if (isCommandNotFound(err)) throw new WireGuardError("wg is not installed: install wireguard-tools (Debian: apt-get install wireguard-tools)");
      throw err;
    }
  }
}

/** A tool's complaint as one line: its standard error, else its exit code. */
const oneLine = (answer: CommandResult): string => answer.stderr.trim().replace(/\s*\n\s*/g, "; ") || `exit code ${answer.code}`;
