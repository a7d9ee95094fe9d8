// Which source a request is charged to: the socket's peer, or — only when that peer is a trusted proxy —
// the client the proxy names in X-Forwarded-For (the rightmost address that is not itself a trusted
// proxy, so a client cannot prepend a forged one) or RFC 7239 Forwarded `for=`. IPv4-mapped IPv6 is
// normalised to IPv4 so one host is one source.

import type { IncomingMessage } from "node:http";
import { normalizeIp, type CidrSet } from "./cidr-set.js";

/** A dotted quad as the kernel reports it is already canonical: no parsing on the hot path. */
const PLAIN_IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function peerAddress(socket: { remoteAddress?: string | undefined }): string {
  const remote = socket.remoteAddress ?? "";
  if (PLAIN_IPV4.test(remote)) return remote;
  return normalizeIp(remote) ?? (remote || "unknown");
}

export function sourceAddress(req: IncomingMessage, trustedProxies: CidrSet<true>, peer = peerAddress(req.socket)): string {
  if (trustedProxies.size === 0 || !trustedProxies.has(peer)) return peer;
  const hops = forwardedHops(req);
  // Walk from the proxy nearest us outwards; the first hop no trusted proxy vouches for is the client.
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i]!);
    if (!hop) return peer;
    if (!trustedProxies.has(hop)) return hop;
  }
  return hops.length > 0 ? (normalizeIp(hops[0]!) ?? peer) : peer;
}

function forwardedHops(req: IncomingMessage): string[] {
  const forwarded = req.headers.forwarded;
  if (typeof forwarded === "string" && forwarded !== "") {
    return forwarded
      .split(",")
      .map((element) => /(?:^|;)\s*for=("?)([^";,]+)\1/i.exec(element)?.[2] ?? "")
      .map((value) => value.replace(/^\[|\](:\d+)?$/g, "").replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1"));
  }
  const xff = req.headers["x-forwarded-for"];
  const text = Array.isArray(xff) ? xff.join(",") : xff;
  return text ? text.split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
}
