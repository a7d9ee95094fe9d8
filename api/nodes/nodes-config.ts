// gateway.toml's [nodes] section, claw's own: the mesh CIDR the server allocates node addresses from, and
// the session's heartbeat timing. Refused with the file, line and key, as [ddos] is.

import { parseCidr } from "../machinery/ip-address.js";
import { Locator, Refusal, walk, type Read } from "../machinery/toml-schema.js";

export interface NodesConfig {
  /** Canonical CIDR, IPv4 or IPv6; each node gets one address of it (the network and broadcast addresses excepted). */
  meshCidr: string;
  heartbeatIntervalSeconds: number;
  /** A session whose agent sent no heartbeat for this long ends (node.disconnected, HeartbeatTimeout). */
  heartbeatTimeoutSeconds: number;
}

export const DEFAULT_NODES_CONFIG: NodesConfig = { meshCidr: "10.100.0.0/16", heartbeatIntervalSeconds: 10, heartbeatTimeoutSeconds: 40 };

export class NodesConfigError extends Error {
  override name = "NodesConfigError";
}

const seconds = (min: number, max: number): Read<number> => (v) =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max ? v : new Refusal(`a whole number of seconds from ${min} to ${max}`);

const meshCidr: Read<string> = (v) => {
  const cidr = typeof v === "string" ? parseCidr(v) : undefined;
  const allowed = `a CIDR block with room for nodes, such as "10.100.0.0/16" or "fd00:100::/64"`;
  if (!cidr || !v || typeof v !== "string" || !v.includes("/")) return new Refusal(allowed);
  if (cidr.family === 4 ? cidr.prefix > 30 : cidr.prefix > 126) return new Refusal(allowed, { hint: "it leaves no room for two nodes" });
  return cidr.text;
};

const SCHEMA = { mesh_cidr: meshCidr, heartbeat_interval: seconds(1, 300), heartbeat_timeout: seconds(3, 3600) };

export function parseNodesConfig(raw: unknown, opts: { source?: string; text?: string } = {}): NodesConfig {
  const at = new Locator({ ...opts, error: (message) => new NodesConfigError(message) });
  const d = walk(raw, SCHEMA, ["nodes"], at);
  const config: NodesConfig = {
    meshCidr: d.mesh_cidr ?? DEFAULT_NODES_CONFIG.meshCidr,
    heartbeatIntervalSeconds: d.heartbeat_interval ?? DEFAULT_NODES_CONFIG.heartbeatIntervalSeconds,
    heartbeatTimeoutSeconds: d.heartbeat_timeout ?? DEFAULT_NODES_CONFIG.heartbeatTimeoutSeconds,
  };
  if (config.heartbeatTimeoutSeconds < 2 * config.heartbeatIntervalSeconds)
    throw at.error(["nodes", "heartbeat_timeout"], `[nodes] heartbeat_timeout (${config.heartbeatTimeoutSeconds}s) must be at least twice heartbeat_interval (${config.heartbeatIntervalSeconds}s), or one late heartbeat would end a healthy session`);
  return config;
}
