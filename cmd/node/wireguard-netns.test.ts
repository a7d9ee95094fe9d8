// The WireGuard layer alone on a real (namespaced) network: two namespaces joined by a veth, an interface in
// each under its own name (wireguard-go's sockets share one folder), peers set from MeshPeer lists as the
// gateway would send them; ping across the mesh, take a peer away, read the handshake, take it all down.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../api/machinery/clock.js";
import type { MeshPeer } from "../../api/types/nodes-api.js";
import { NetnsLab, netnsSkipReason } from "./testing/netns.js";
import { waitUntil } from "./testing/wait-until.js";
import { WireGuardInterface } from "./wireguard-interface.js";
import { ensureWireGuardKey } from "./wireguard-key.js";

const skip = netnsSkipReason({ wireguard: true, ping: true });
const MESH = { persistentKeepalive: 0, allowedIps: ["10.100.0.0/16"] };

interface Node {
  ns: string;
  name: string;
  keyPath: string;
  implementation: string;
  wg: WireGuardInterface;
  peer: MeshPeer;
}

describe.skipIf(skip !== undefined)(`the WireGuard layer between two namespaces${skip ? ` (${skip})` : ""}`, () => {
  let lab: NetnsLab;
  let a: Node;
  let b: Node;
  const started = Date.now();

  const node = async (label: string, underlay: string, mesh: string, keyDir: string): Promise<Node> => {
    const ns = await lab.namespace(label);
    const name = lab.wireguardName(label);
    const privateKeyPath = join(keyDir, `${label}.key`);
    const { publicKey } = await ensureWireGuardKey(privateKeyPath);
    const wg = new WireGuardInterface({ runner: lab.runner(ns), clock: systemClock });
    const up = await wg.up({ name, privateKeyPath, listenPort: 51820, address: `${mesh}/16` });
    expect(up.created).toBe(true);
    return { ns, name, keyPath: privateKeyPath, implementation: up.implementation, wg, peer: { name: label, publicKey, endpoint: `${underlay}:51820`, allowedIPs: [`${mesh}/32`] } };
  };
  const ping = async (from: Node, to: string) => (await lab.exec(from.ns, "ping", ["-c", "1", "-W", "2", to])).code;

  beforeAll(async () => {
    lab = await NetnsLab.create();
    const keys = await lab.tempDir();
    a = await node("a", "198.51.100.1", "10.100.0.1", keys);
    b = await node("b", "198.51.100.2", "10.100.0.2", keys);
    await lab.link({ ns: a.ns, address: "198.51.100.1/24" }, { ns: b.ns, address: "198.51.100.2/24" });
  });
  afterAll(() => lab?.cleanup());

  it("carries a ping across the mesh once each side has the other as its peer", async () => {
    expect(await a.wg.setPeers([b.peer], MESH)).toMatchObject({ added: ["b"], removed: [], skipped: [] });
    expect(await b.wg.setPeers([a.peer, b.peer], MESH)).toMatchObject({ added: ["a"], skipped: [{ name: "b", reason: "it has this node's own public key" }] });
    expect(await ping(a, "10.100.0.2")).toBe(0);
  });

  it("finds the interface and sets it up again in place when up() runs a second time", async () => {
    expect(await a.wg.up({ name: a.name, privateKeyPath: a.keyPath, listenPort: 51820, address: "10.100.0.1/16" })).toEqual({ implementation: a.implementation, created: false });
    expect(await ping(a, "10.100.0.2")).toBe(0);
  });

  it("reports the handshake and the traffic in observe()", async () => {
    const seen = await a.wg.observe();
    expect(seen.peers).toBe(1);
    expect(seen.peersUp).toBe(1);
    expect(seen.latestHandshakeMs).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    const stats = seen.byKey.get(b.peer.publicKey);
    expect(stats?.endpoint).toBe("198.51.100.2:51820");
    expect(stats?.rxBytes).toBeGreaterThan(0);
  });

  it("changes nothing when the same peers are set again", async () => {
    expect(await a.wg.setPeers([b.peer], MESH)).toMatchObject({ added: [], updated: [], removed: [] });
  });

  it("stops carrying the ping once one side has no peers", async () => {
    expect(await b.wg.setPeers([], MESH)).toMatchObject({ removed: [a.peer.publicKey] });
    expect((await b.wg.observe()).peers).toBe(0);
    expect(await ping(a, "10.100.0.2")).not.toBe(0);
  });

  it("routes nothing outside allowed_ips", async () => {
    const outside = { ...a.peer, allowedIPs: ["10.200.0.1/32"] };
    expect(await b.wg.setPeers([outside], MESH)).toMatchObject({ added: [], skipped: [{ name: "a", reason: "none of its addresses (10.200.0.1/32) is inside allowed_ips (10.100.0.0/16)" }] });
    expect(await ping(a, "10.100.0.2")).not.toBe(0);
  });

  it("deletes the interface on down(), and wireguard-go ends, taking its socket with it", async () => {
    await b.wg.down();
    expect((await lab.exec(b.ns, "ip", ["link", "show", "dev", b.name])).code).not.toBe(0);
    const socket = `/var/run/wireguard/${b.name}.sock`;
    await waitUntil(async () => !existsSync(socket) && (await lab.pids(b.ns)).length === 0, { timeoutMs: 5_000, what: "wireguard-go to end and remove its socket" });
    await b.wg.down();
  });
});
