// `wg show NAME dump` read into what the agent needs: the interface's public key and port, each peer's
// endpoint, routes, keepalive, last handshake and traffic. The dump's first field is the private key: it is
// dropped at the first split and kept nowhere. Pure.

/** A peer as the interface has it now. */
export interface DumpPeer {
  publicKey: string;
  /** host:port as wg prints it ([v6]:port for IPv6); absent while none is known. */
  endpoint?: string;
  /** CIDR blocks as wg prints them (canonical). */
  allowedIps: string[];
  /** Milliseconds since the epoch; absent before the first handshake. */
  latestHandshakeMs?: number;
  rxBytes: number;
  txBytes: number;
  /** Seconds; 0 is off. */
  persistentKeepalive: number;
}

export interface WireGuardDump {
  /** Absent while the interface has no private key. */
  publicKey?: string;
  listenPort: number;
  peers: DumpPeer[];
}

export interface PeerStats {
  latestHandshakeMs?: number;
  endpoint?: string;
  rxBytes: number;
  txBytes: number;
}

/** What the agent reports of the mesh in its heartbeat. */
export interface MeshObservation {
  peers: number;
  /** Peers with a handshake in the last HANDSHAKE_FRESH_MS. */
  peersUp: number;
  /** The newest handshake of any peer, ms since the epoch. */
  latestHandshakeMs?: number;
  byKey: Map<string, PeerStats>;
}

/** WireGuard renews a session's keys every 2 minutes while traffic flows (REKEY_AFTER_TIME); 3 minutes without one means no working session. */
export const HANDSHAKE_FRESH_MS = 180_000;

const NONE = "(none)";

export class WireGuardDumpError extends Error {
  override name = "WireGuardDumpError";
}

export function parseWireGuardDump(text: string): WireGuardDump {
  const lines = text.split("\n").filter((line) => line !== "");
  const head = lines[0]?.split("\t");
  if (head?.length !== 4) throw new WireGuardDumpError("wg show dump: the first line is not the interface's (4 fields)");
  const [, publicKey, port] = head;
  const peers = lines.slice(1).map((line, i) => {
    const fields = line.split("\t");
    if (fields.length !== 8) throw new WireGuardDumpError(`wg show dump: peer line ${i + 1} has ${fields.length} fields, not 8`);
    const [key, , endpoint, allowed, handshake, rx, tx, keepalive] = fields as [string, string, string, string, string, string, string, string];
    const handshakeSeconds = wholeNumber(handshake, "latest handshake");
    return {
      publicKey: key,
      ...(endpoint !== NONE ? { endpoint } : {}),
      allowedIps: allowed === NONE ? [] : allowed.split(","),
      ...(handshakeSeconds > 0 ? { latestHandshakeMs: handshakeSeconds * 1000 } : {}),
      rxBytes: wholeNumber(rx, "received bytes"),
      txBytes: wholeNumber(tx, "sent bytes"),
      persistentKeepalive: keepalive === "off" ? 0 : wholeNumber(keepalive, "persistent keepalive"),
    };
  });
  return { ...(publicKey !== undefined && publicKey !== NONE ? { publicKey } : {}), listenPort: wholeNumber(port ?? "", "listen port"), peers };
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new WireGuardDumpError(`wg show dump: ${what} is not a number`);
  return Number(text);
}

/** The heartbeat's view of the peers at `nowMs`. */
export function observeDump(dump: WireGuardDump, nowMs: number): MeshObservation {
  const byKey = new Map<string, PeerStats>();
  let latest: number | undefined;
  let up = 0;
  for (const peer of dump.peers) {
    const { latestHandshakeMs, endpoint, rxBytes, txBytes } = peer;
    byKey.set(peer.publicKey, { ...(latestHandshakeMs !== undefined ? { latestHandshakeMs } : {}), ...(endpoint !== undefined ? { endpoint } : {}), rxBytes, txBytes });
    if (latestHandshakeMs === undefined) continue;
    if (nowMs - latestHandshakeMs <= HANDSHAKE_FRESH_MS) up++;
    latest = Math.max(latest ?? 0, latestHandshakeMs);
  }
  return { peers: dump.peers.length, peersUp: up, ...(latest !== undefined ? { latestHandshakeMs: latest } : {}), byKey };
}
