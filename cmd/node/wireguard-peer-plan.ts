// The difference between the peers the interface has and the peers the gateway sent, as `wg set` arguments.
// Pure: the gateway's list is checked here (keys, endpoints, CIDRs), so nothing malformed reaches `wg`, and
// [network.wireguard] allowed_ips ("Allowed peer subnets") decides which of a peer's addresses are routed.

import { cidrContains, formatIp, parseCidr, parseIp, type Cidr } from "../../api/machinery/ip-address.js";
import type { MeshPeer } from "../../api/types/nodes-api.js";
import type { DumpPeer } from "./wireguard-dump.js";
import { isWireGuardKey } from "./wireguard-key.js";

export interface PeerPlanInput {
  /** The interface's own public key: a peer with it is this node and is skipped. */
  self?: string;
  current: readonly DumpPeer[];
  wanted: readonly MeshPeer[];
  /** Seconds, 0 for off: [network.wireguard] persistent_keepalive. */
  persistentKeepalive: number;
  /** [network.wireguard] allowed_ips: a peer's address is routed only inside one of these; absent: every address the gateway sent. */
  allowedIps?: readonly string[];
  /**
   * The endpoint last set for each key. An endpoint is set again only when the gateway's changes: WireGuard
   * follows a peer that roams, and resolves a host name once, so the interface's own may differ.
   */
  lastEndpoints?: ReadonlyMap<string, string>;
}

/** One `wg set NAME …` for a peer to add or change. */
export interface PeerSet {
  name: string;
  publicKey: string;
  change: "add" | "update";
  /** The arguments after `wg set NAME`. */
  args: string[];
  /** The endpoint these arguments set, when they set one. */
  endpoint?: string;
}

export interface PeerPlan {
  /** Public keys of the peers to remove. */
  remove: string[];
  set: PeerSet[];
  /** Peers left out entirely, and why. */
  skipped: { name: string; reason: string }[];
  /** Peers configured with some of their addresses left out, because allowed_ips does not hold them. */
  unrouted: { name: string; cidrs: string[] }[];
}

export function planPeers(input: PeerPlanInput): PeerPlan {
  const limits = (input.allowedIps ?? []).map((text) => parseCidr(text)).filter((c): c is Cidr => c !== undefined);
  const current = new Map(input.current.map((peer) => [peer.publicKey, peer]));
  const plan: PeerPlan = { remove: [], set: [], skipped: [], unrouted: [] };
  const kept = new Map<string, string>();
  for (const peer of input.wanted) {
    const checked = checkPeer(peer, { self: input.self, kept, limits, limited: input.allowedIps !== undefined });
    if ("reason" in checked) {
      plan.skipped.push({ name: peer.name, reason: checked.reason });
      continue;
    }
    kept.set(peer.publicKey, peer.name);
    if (checked.unrouted.length > 0) plan.unrouted.push({ name: peer.name, cidrs: checked.unrouted });
    const now = current.get(peer.publicKey);
    const reference = input.lastEndpoints?.get(peer.publicKey) ?? now?.endpoint;
    const endpoint = checked.endpoint !== undefined && (now === undefined || checked.endpoint !== canonicalEndpoint(reference ?? "")) ? checked.endpoint : undefined;
    const nowAllowed = (now?.allowedIps ?? []).map((text) => parseCidr(text)?.text ?? text).sort();
    const routesChanged = nowAllowed.join(",") !== [...checked.routes].sort().join(",");
    const keepaliveChanged = (now?.persistentKeepalive ?? 0) !== input.persistentKeepalive;
    if (now !== undefined && endpoint === undefined && !routesChanged && !keepaliveChanged) continue;
    const keepalive = input.persistentKeepalive > 0 ? String(input.persistentKeepalive) : now !== undefined && keepaliveChanged ? "off" : undefined;
    plan.set.push({
      name: peer.name,
      publicKey: peer.publicKey,
      change: now === undefined ? "add" : "update",
      args: ["peer", peer.publicKey, ...(endpoint !== undefined ? ["endpoint", endpoint] : []), "allowed-ips", checked.routes.join(","), ...(keepalive !== undefined ? ["persistent-keepalive", keepalive] : [])],
      ...(endpoint !== undefined ? { endpoint } : {}),
    });
  }
  plan.remove = input.current.map((peer) => peer.publicKey).filter((key) => !kept.has(key));
  return plan;
}

type CheckedPeer = { routes: string[]; unrouted: string[]; endpoint?: string } | { reason: string };

/** The peer's routes and endpoint in canonical form, or why it is left out; the first check that fails wins. */
function checkPeer(peer: MeshPeer, ctx: { self: string | undefined; kept: ReadonlyMap<string, string>; limits: readonly Cidr[]; limited: boolean }): CheckedPeer {
  // A key that is not one would make `wg set` fail, or read as another argument.
  if (!isWireGuardKey(peer.publicKey)) return { reason: "its public key is not a WireGuard key (44 characters of base64)" };
  // The gateway may list this node among the peers; an interface cannot be its own peer.
  if (peer.publicKey === ctx.self) return { reason: "it has this node's own public key" };
  // Two peers with one key would fight over one entry.
  const twin = ctx.kept.get(peer.publicKey);
  if (twin !== undefined) return { reason: `it has the same public key as peer ${twin}` };
  const endpoint = peer.endpoint === undefined ? undefined : canonicalEndpoint(peer.endpoint);
  if (peer.endpoint !== undefined && endpoint === undefined) return { reason: `its endpoint ${JSON.stringify(peer.endpoint)} is not host:port` };
  const cidrs = peer.allowedIPs.map((text) => ({ text, cidr: parseCidr(text) }));
  const bad = cidrs.find((c) => c.cidr === undefined);
  if (bad) return { reason: `${JSON.stringify(bad.text)} in its allowedIPs is not a CIDR block` };
  const routes: string[] = [];
  const unrouted: string[] = [];
  for (const { cidr } of cidrs) {
    const text = cidr!.text;
    if (routes.includes(text)) continue;
    if (!ctx.limited || ctx.limits.some((limit) => cidrContains(limit, cidr!))) routes.push(text);
    else unrouted.push(text);
  }
  if (routes.length === 0)
    return { reason: unrouted.length > 0 ? `none of its addresses (${unrouted.join(", ")}) is inside allowed_ips (${ctx.limits.map((l) => l.text).join(", ")})` : "it has no addresses to route" };
  return { routes, unrouted, ...(endpoint !== undefined ? { endpoint } : {}) };
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** host:port with the host canonical (IPv6 in brackets, names lower-case), as wg prints endpoints; undefined if it is not one. */
export function canonicalEndpoint(text: string): string | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || !(port >= 1 && port <= 65535)) return undefined;
  const [, v6, name] = match;
  if (v6 !== undefined) {
    const address = parseIp(v6);
    return address?.family === 6 ? `[${formatIp(address)}]:${port}` : undefined;
  }
  const address = parseIp(name!);
  if (address) return `${formatIp(address)}:${port}`;
  const host = name!.toLowerCase();
  return HOST_NAME.test(host) && !/^[\d.]+$/.test(host) ? `${host}:${port}` : undefined;
}
