// The agent's loop (runNodeAgent) against a real `claw server`: its session, heartbeats carrying what the mesh
// observes, the kernel blocklist it is sent, the Tailscale-missing status, and its certificate renewed by CSR
// before expiry when the agent's (fake) clock reaches two thirds of the certificate's life. The server runs
// on the real clock so every certificate it signs is valid for the real handshake.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { FakeClock } from "../api/machinery/clock.js";
import type { Certificate } from "../api/types/certificate.js";
import type { Node } from "../api/types/node.js";
import { nodesPaths, type BootstrapTokenCreated, type Heartbeat, type MeshPeer, type SessionHello } from "../api/types/nodes-api.js";
import { runNodeAgent, type MeshDriver } from "../cmd/node/node-agent.js";
import { readCredentials, renewalAt, type TlsPaths } from "../cmd/node/node-credentials.js";
import { caCertHashOf, joinNode } from "../cmd/node/node-join.js";
import { waitUntil } from "../cmd/node/testing/wait-until.js";
import { runServer, type RunningServer } from "../cmd/server/run-server.js";
import { silentLogger } from "../controllers/runtime/testing/silent-logger.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../hack/testing/https-call.js";

let dir = "";
let server: RunningServer;
let admin: HttpsClient;
const API = "/apis/security.clawbernetes.com/v1";

const get = async <T>(path: string) => (await httpsCall<T>(server.url, path, admin)).body;
const quiet = { info: () => undefined, warn: () => undefined };

/** A mesh that records what the agent asked of it. */
class RecordingMesh implements MeshDriver {
  configured: (string | undefined)[] = [];
  peers: MeshPeer[][] = [];
  constructor(private readonly mesh: SessionHello["mesh"]) {}
  hello = async () => this.mesh;
  configure = async (address: string | undefined) => void this.configured.push(address);
  setPeers = async (peers: readonly MeshPeer[]) => void this.peers.push([...peers]);
  observe = async (): Promise<Heartbeat["mesh"]> => (this.mesh.provider === "wireguard" ? { peers: 3, peersUp: 2, latestHandshakeTime: "2026-11-29T10:00:00Z" } : undefined);
}

async function joined(name: string): Promise<TlsPaths> {
  const token = (await httpsCall<BootstrapTokenCreated>(server.url, nodesPaths.tokens, admin, { method: "POST", json: {} })).body.token;
  const tls = { cert: join(dir, name, "node.crt"), key: join(dir, name, "node.key"), ca: join(dir, name, "ca.crt") };
  await joinNode({ gateway: server.url, token, name, tls, trust: { caCertHash: caCertHashOf(admin.ca) }, version: "test" });
  return tls;
}

function start(name: string, tls: TlsPaths, clock: FakeClock, mesh: MeshDriver, blocklist?: string[][]) {
  const stop = new AbortController();
  const ended: string[] = [];
  const done = runNodeAgent({
    gateway: server.url,
    tls,
    name,
    version: "9.9.9",
    clock,
    log: quiet,
    mesh,
    ...(blocklist ? { blocklist: { apply: async (cidrs: readonly string[]) => void blocklist.push([...cidrs]) } } : {}),
    addresses: () => ["192.0.2.50"],
    signal: stop.signal,
    reconnect: { minMs: 10, maxMs: 10 },
    onSessionEnded: (why) => void ended.push(why),
  });
  return { ended, stop: async () => (stop.abort(), await done) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "claw-agent-"));
  server = await runServer({ config: { listen: { host: "127.0.0.1", port: 0 }, dataDir: join(dir, "data"), etcdEndpoints: [], maxRequestBytes: 1 << 20, sections: {} }, logger: silentLogger(), announce: () => {}, controllers: false });
  admin = adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the node agent", () => {
  it("connects, configures the mesh, heartbeats what the mesh observes and applies the blocklist it is sent", async () => {
    const clock = new FakeClock(Date.now());
    const tls = await joined("gpu-hb");
    const mesh = new RecordingMesh({ provider: "wireguard", publicKey: Buffer.alloc(32, 9).toString("base64"), listenPort: 51820 });
    const blocklist: string[][] = [];
    const agent = start("gpu-hb", tls, clock, mesh, blocklist);
    await waitUntil(() => mesh.configured.length === 1 && blocklist.length === 1, { timeoutMs: 10_000, what: "the session's welcome and blocklist" });
    expect(mesh.configured[0]).toMatch(/^10\.100\.0\.\d+\/16$/);
    expect(blocklist[0]).toEqual([]);
    expect((await httpsCall(server.url, `${API}/blockrules`, admin, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "BlockRule", metadata: { name: "bad" }, spec: { cidr: "203.0.113.9" } } })).status).toBe(201);
    await waitUntil(() => blocklist.some((list) => list.includes("203.0.113.9/32")), { timeoutMs: 10_000, what: "the BlockRule to reach the agent" });
    // The first heartbeat is written (its mesh changed); the agent's clock drives it.
    clock.step(10_000);
    await waitUntil(async () => (await get<Node>(`${API}/nodes/gpu-hb`)).status?.mesh?.peersUp === 2, { timeoutMs: 10_000, what: "the heartbeat's mesh figures in status" });
    expect((await get<Node>(`${API}/nodes/gpu-hb`)).status).toMatchObject({ connected: true, agentVersion: "9.9.9", mesh: { peers: 3, latestHandshakeTime: "2026-11-29T10:00:00Z" } });
    await agent.stop();
  }, 30_000);

  it("says in the Node's status that Tailscale is missing, and how to install it", async () => {
    const tls = await joined("gpu-ts");
    const message = "Tailscale is not installed on this node: install it (https://tailscale.com/download)";
    const agent = start("gpu-ts", tls, new FakeClock(Date.now()), new RecordingMesh({ provider: "tailscale", message }));
    await waitUntil(async () => (await get<Node>(`${API}/nodes/gpu-ts`)).status?.connected === true, { timeoutMs: 10_000, what: "gpu-ts connected" });
    expect((await get<Node>(`${API}/nodes/gpu-ts`)).status?.mesh).toMatchObject({ provider: "tailscale", message });
    await agent.stop();
  }, 30_000);

  it("renews its certificate by CSR at two thirds of its life, before it expires, and reconnects with it", async () => {
    const tls = await joined("gpu-rn");
    const before = readCredentials(tls);
    const clock = new FakeClock(Date.now());
    const agent = start("gpu-rn", tls, clock, new RecordingMesh({ provider: "none" }));
    await waitUntil(async () => (await get<Node>(`${API}/nodes/gpu-rn`)).status?.connected === true, { timeoutMs: 10_000, what: "gpu-rn connected" });
    clock.step(renewalAt(before) - clock.now() - 60_000);
    expect(readCredentials(tls).serialNumber).toBe(before.serialNumber);
    clock.step(61_000);
    await waitUntil(() => readCredentials(tls).serialNumber !== before.serialNumber, { timeoutMs: 10_000, what: "the renewed certificate on disk" });
    const renewed = readCredentials(tls);
    expect(renewed.keyPem).not.toBe(before.keyPem);
    expect(renewed.notAfterMs).toBeGreaterThan(before.notAfterMs - 1);
    const cert = await get<Certificate>(`${API}/certificates/node-gpu-rn`);
    expect(cert.status).toMatchObject({ revision: 2, serialNumber: renewed.serialNumber.replace(/^0+/, "").padStart(cert.status!.serialNumber!.length, "0") });
    await waitUntil(async () => (await get<Node>(`${API}/nodes/gpu-rn`)).status?.certificate?.serialNumber?.replace(/^0+/, "") === renewed.serialNumber.replace(/^0+/, ""), {
      timeoutMs: 10_000,
      what: "a session with the renewed certificate",
    });
    expect(agent.ended).toContain("renewed");
    await agent.stop();
  }, 30_000);
});
