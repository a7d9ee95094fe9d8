// The agent's mesh, by clawnode.toml [network] provider: WireGuard (the key made on first run and kept 0600,
// the interface set up with the address the gateway allocates and kept in step with the peer list), Tailscale
// (brought up with the configured auth key, its tailnet address reported), or none.

import { join } from "node:path";
import { toRfc3339, type Clock } from "../../api/machinery/clock.js";
import type { Heartbeat, MeshPeer, SessionHello } from "../../api/types/nodes-api.js";
import type { CommandRunner } from "./command-runner.js";
import type { MeshDriver } from "./node-agent.js";
import type { NodeConfig, TailscaleConfig, WireGuardConfig } from "./node-config.js";
import { tailscaleUp } from "./tailscale.js";
import { WireGuardInterface } from "./wireguard-interface.js";
import { ensureWireGuardKey } from "./wireguard-key.js";

export interface MeshDeps {
  runner: CommandRunner;
  clock: Clock;
  env: Record<string, string | undefined>;
  /** The node's name (its certificate's common name), for Tailscale's host name. */
  nodeName: string;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

/** The file the WireGuard private key is made in when clawnode.toml names none. */
export const wireGuardKeyPath = (config: NodeConfig) =>
  (config.network.provider === "wireguard" ? config.network.wireguard.privateKeyPath : undefined) ?? join(config.node.dataDir, "wireguard", "private.key");

export function meshDriverFor(config: NodeConfig, deps: MeshDeps): MeshDriver {
  const network = config.network;
  if (network.provider === "wireguard") return new WireGuardMesh(network.wireguard, wireGuardKeyPath(config), deps);
  if (network.provider === "tailscale") return new TailscaleMesh(network.tailscale, deps);
  return { hello: async () => ({ provider: "none" }), configure: async () => undefined, setPeers: async () => undefined, observe: async () => undefined };
}

class WireGuardMesh implements MeshDriver {
  private readonly wg: WireGuardInterface;
  private address: string | undefined;

  constructor(
    private readonly config: WireGuardConfig,
    private readonly keyPath: string,
    private readonly deps: MeshDeps,
  ) {
    this.wg = new WireGuardInterface({ runner: deps.runner, clock: deps.clock });
  }

  async hello(): Promise<SessionHello["mesh"]> {
    const key = await ensureWireGuardKey(this.keyPath);
    if (key.generated) this.deps.log("made the WireGuard key pair; only the public key leaves the node", { path: this.keyPath, publicKey: key.publicKey });
    const endpoint = this.config.endpoint;
    return {
      provider: "wireguard",
      publicKey: key.publicKey,
      listenPort: this.config.listenPort,
      ...(endpoint ? { endpoint: `${endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}` } : {}),
      ...(this.config.allowedIps ? { allowedIPs: this.config.allowedIps } : {}),
    };
  }

  async configure(meshAddress: string | undefined): Promise<void> {
    if (!meshAddress) return;
    const result = await this.wg.up({ name: this.config.interface, privateKeyPath: this.keyPath, listenPort: this.config.listenPort, address: meshAddress });
    if (meshAddress !== this.address) this.deps.log("WireGuard interface up", { interface: this.config.interface, address: meshAddress, implementation: result.implementation });
    this.address = meshAddress;
  }

  async setPeers(peers: readonly MeshPeer[]): Promise<void> {
    if (!this.address) return;
    const changes = await this.wg.setPeers(peers, { persistentKeepalive: this.config.persistentKeepalive, ...(this.config.allowedIps ? { allowedIps: this.config.allowedIps } : {}) });
    for (const skipped of changes.skipped) this.deps.log("left a peer out", { ...skipped });
    for (const failed of changes.failed) this.deps.log("could not set a peer", { ...failed });
  }

  async observe(): Promise<Heartbeat["mesh"]> {
    if (!this.address) return undefined;
    const seen = await this.wg.observe();
    return { peers: seen.peers, peersUp: seen.peersUp, ...(seen.latestHandshakeMs ? { latestHandshakeTime: toRfc3339(seen.latestHandshakeMs) } : {}) };
  }
}

class TailscaleMesh implements MeshDriver {
  private state: SessionHello["mesh"] | undefined;

  constructor(
    private readonly config: TailscaleConfig,
    private readonly deps: MeshDeps,
  ) {}

  async hello(): Promise<SessionHello["mesh"]> {
    if (this.state?.address) return this.state;
    const result = await tailscaleUp({ nodeName: this.deps.nodeName, config: this.config, env: this.deps.env, runner: this.deps.runner });
    this.state = result.state === "up" ? { provider: "tailscale", address: result.address } : { provider: "tailscale", message: result.message };
    if (result.state !== "up") this.deps.log("Tailscale is not up", { message: result.message });
    return this.state;
  }

  async configure(): Promise<void> {}

  async setPeers(): Promise<void> {}

  async observe(): Promise<Heartbeat["mesh"]> {
    return this.state?.address ? { address: this.state.address } : this.state?.message ? { message: this.state.message } : undefined;
  }
}
