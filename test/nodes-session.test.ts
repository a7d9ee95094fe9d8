// Nodes against a real `claw server` (TLS, the server's own PKI, SQLite, the audit log), on a fake clock
// started at the real time so the certificates it issues are valid for the real TLS handshake: joining with
// a bootstrap token by CSR, the session and its node.connected / node.disconnected entries (closed, timed
// out, revoked, removed), the peer lists, a CSR for another node refused, and renewal before expiry.

import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as path } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { FakeClock } from "../api/machinery/clock.js";
import type { Node } from "../api/types/node.js";
import { nodesPaths, type BootstrapTokenCreated, type MeshPeer, type SessionHello, type SessionMessage } from "../api/types/nodes-api.js";
import { pkiPaths } from "../api/types/pki-api.js";
import { GatewayClient, GatewayError, type SessionStream } from "../cmd/node/gateway-client.js";
import { newKeyAndCsr, readCredentials, type TlsPaths } from "../cmd/node/node-credentials.js";
import { caCertHashOf, joinNode } from "../cmd/node/node-join.js";
import { runServer, type RunningServer } from "../cmd/server/run-server.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../hack/testing/https-call.js";

const NODES = "/apis/security.clawbernetes.com/v1/nodes";
const clock = new FakeClock(Date.now());
let dir = "";
let server: RunningServer;
let admin: HttpsClient;

const wgKey = (n: number) => Buffer.alloc(32, n).toString("base64");
const hello = (n: number, extra: Partial<SessionHello["mesh"]> = {}): SessionHello => ({
  agentVersion: "0.1.0",
  addresses: [`192.0.2.${n}`],
  mesh: { provider: "wireguard", publicKey: wgKey(n), listenPort: 51820, endpoint: `192.0.2.${n}:51820`, ...extra },
  enforceBlocklist: true,
});

async function call<T>(path: string, init: { method?: string; json?: unknown } = {}) {
  return httpsCall<T>(server.url, path, admin, init);
}

async function token(extra: Record<string, unknown> = {}): Promise<string> {
  const created = await call<BootstrapTokenCreated>(nodesPaths.tokens, { method: "POST", json: { ttl: "1h", ...extra } });
  expect(created.status).toBe(201);
  return created.body.token;
}

const tlsOf = (name: string): TlsPaths => ({ cert: path(dir, name, "node.crt"), key: path(dir, name, "node.key"), ca: path(dir, name, "ca.crt") });

async function join(name: string, opts: { token?: string } = {}): Promise<TlsPaths> {
  const tls = tlsOf(name);
  await joinNode({ gateway: server.url, token: opts.token ?? (await token()), name, tls, trust: { caCertHash: caCertHashOf(admin.ca) }, version: "test" });
  return tls;
}

const clientOf = (tls: TlsPaths) => {
  const held = readCredentials(tls);
  return new GatewayClient(server.url, { ca: held.caPem, cert: held.certPem, key: held.keyPem }, "test");
};

/** A session read message by message. */
async function open(name: string, tls: TlsPaths, h: SessionHello) {
  const client = clientOf(tls);
  const stream: SessionStream = await client.session(name, h);
  const iterator = stream.messages[Symbol.asyncIterator]();
  const next = async (type: SessionMessage["type"]): Promise<SessionMessage> => {
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) throw new Error(`the session ended before a ${type}`);
      if (value.type === type) return value;
    }
  };
  return { client, stream, next, close: async () => (stream.close(), await client.close()) };
}

async function auditOf(name: string): Promise<{ type: string; details?: Record<string, unknown> }[]> {
  const out: { type: string; details?: Record<string, unknown> }[] = [];
  for await (const batch of server.audit.log.batches.batchesFrom(1)) for (const e of batch.entries) if (e.resource?.name === name && e.type.startsWith("node.")) out.push({ type: e.type, details: e.details as Record<string, unknown> });
  return out;
}

const node = async (name: string) => (await call<Node>(`${NODES}/${name}`)).body;

async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

beforeAll(async () => {
  dir = mkdtempSync(path(tmpdir(), "claw-nodes-"));
  server = await runServer({ config: { listen: { host: "127.0.0.1", port: 0 }, dataDir: path(dir, "data"), etcdEndpoints: [], maxRequestBytes: 1 << 20, sections: {} }, logger: (await import("pino")).pino({ level: process.env.NODES_LOG ?? "silent" }), announce: () => {}, clock, controllers: false });
  admin = adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("joining with a bootstrap token", () => {
  it("gives the node a certificate for the key it made, the key never leaving it, and registers the Node", async () => {
    const tls = await join("gpu-a");
    const cert = new X509Certificate(readFileSync(tls.cert));
    expect(cert.subject.split("\n")).toEqual(expect.arrayContaining(["CN=gpu-a", "O=system:nodes"]));
    expect(cert.checkPrivateKey((await import("node:crypto")).createPrivateKey(readFileSync(tls.key)))).toBe(true);
    expect(statSync(tls.key).mode & 0o777).toBe(0o600);
    expect((await node("gpu-a")).metadata.name).toBe("gpu-a");
    const stored = (await call<{ spec: { privateKey?: { source?: string } } }>(`/apis/security.clawbernetes.com/v1/certificates/node-gpu-a`)).body;
    expect(stored.spec.privateKey?.source).toBe("CSR");
  });

  it.each([
    ["a token used up", async () => {
      const t = await token();
      await join("gpu-b", { token: t });
      return t;
    }, "gpu-c", 401],
    ["a token bound to another node", () => token({ node: "gpu-x" }), "gpu-y", 403],
    ["a made-up token", async () => "clbt_abcdefgh.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "gpu-z", 401],
    ["any token for a node that holds a valid certificate", () => token(), "gpu-a", 409],
  ])("refuses %s", async (_what, make, name, status) => {
    const t = await make();
    await expect(join(name, { token: t })).rejects.toMatchObject({ status });
  });

  it("lists tokens without their secrets", async () => {
    const list = await call<{ items: Record<string, unknown>[] }>(nodesPaths.tokens);
    expect(JSON.stringify(list.body)).not.toMatch(/clbt_/);
  });
});

describe("sessions", () => {
  it("records node.connected, allocates a mesh address and sends each node the other as a peer", async () => {
    const a = await open("gpu-a", tlsOf("gpu-a"), hello(1));
    const welcome = await a.next("Welcome");
    expect(welcome).toMatchObject({ type: "Welcome", meshAddress: "10.100.0.1/16" });
    const b = await open("gpu-b", tlsOf("gpu-b"), hello(2));
    expect(await b.next("Welcome")).toMatchObject({ meshAddress: "10.100.0.2/16" });
    const peersOfB = (await b.next("Peers")) as { peers: MeshPeer[] };
    expect(peersOfB.peers).toEqual([{ name: "gpu-a", publicKey: wgKey(1), endpoint: "192.0.2.1:51820", allowedIPs: ["10.100.0.1/32"] }]);
    await eventually(async () => ((await a.next("Peers")) as { peers: MeshPeer[] }).peers.some((p) => p.name === "gpu-b"), "gpu-a hears of gpu-b");
    expect((await node("gpu-a")).status).toMatchObject({ connected: true, mesh: { address: "10.100.0.1", publicKey: wgKey(1) }, certificate: { name: "node-gpu-a" } });
    expect((await auditOf("gpu-a")).map((e) => e.type)).toEqual(["node.connected"]);

    // Closed by the agent.
    await b.close();
    await eventually(async () => (await node("gpu-b")).status?.connected === false, "gpu-b shows disconnected");
    expect((await auditOf("gpu-b")).at(-1)).toMatchObject({ type: "node.disconnected", details: { reason: "Closed" } });

    // Heartbeats that stop: the server's clock passes the timeout.
    const sessionId = (welcome as { sessionId: string }).sessionId;
    await a.client.heartbeat("gpu-a", { sessionId, mesh: { peers: 1, peersUp: 1 } });
    clock.step(41_000);
    expect(await a.next("Goodbye")).toMatchObject({ reason: "HeartbeatTimeout" });
    await eventually(async () => (await auditOf("gpu-a")).at(-1)?.type === "node.disconnected", "gpu-a's timeout is recorded");
    expect((await auditOf("gpu-a")).at(-1)).toMatchObject({ details: { reason: "HeartbeatTimeout" } });
    await expect(a.client.heartbeat("gpu-a", { sessionId })).rejects.toMatchObject({ status: 404 });
    await a.close();
  });

  it("refuses a node acting for another: a session, a heartbeat or a CSR in another's name", async () => {
    const a = clientOf(tlsOf("gpu-a"));
    await expect(a.session("gpu-b", hello(1))).rejects.toMatchObject({ status: 403 });
    await expect(a.renew("gpu-b", { csr: (await newKeyAndCsr("gpu-b")).csrPem })).rejects.toMatchObject({ status: 403 });
    // Its own path, but a CSR that names another node.
    await expect(a.renew("gpu-a", { csr: (await newKeyAndCsr("gpu-b")).csrPem })).rejects.toBeInstanceOf(GatewayError);
    await a.close();
  });

  it("ends the session of a node whose certificate is revoked, and drops it from every peer list", async () => {
    const tls = tlsOf;
    const a = await open("gpu-a", tls("gpu-a"), hello(1));
    const b = await open("gpu-b", tls("gpu-b"), hello(2));
    await b.next("Welcome");
    await eventually(async () => ((await b.next("Peers")) as { peers: MeshPeer[] }).peers.some((p) => p.name === "gpu-a"), "gpu-b sees gpu-a");
    expect((await call(pkiPaths.revoke("node-gpu-a"), { method: "POST", json: { reason: "keyCompromise" } })).status).toBe(200);
    await eventually(async () => ((await b.next("Peers")) as { peers: MeshPeer[] }).peers.length === 0, "gpu-a leaves gpu-b's peers");
    await eventually(async () => (await auditOf("gpu-a")).at(-1)?.type === "node.disconnected", "gpu-a's session ends");
    await expect(clientOf(tls("gpu-a")).session("gpu-a", hello(1))).rejects.toBeTruthy();
    await a.close();
    await b.close();
  });

  it("takes a node cordoned for the mesh out of the others' peers, puts it back when uncordoned, and ends a removed node's session", async () => {
    const [m1, m2] = [await join("gpu-m1"), await join("gpu-m2")];
    const one = await open("gpu-m1", m1, hello(11));
    const two = await open("gpu-m2", m2, hello(12));
    const peersOfTwo = async () => ((await two.next("Peers")) as { peers: MeshPeer[] }).peers.map((p) => p.name);
    await eventually(async () => (await peersOfTwo()).includes("gpu-m1"), "gpu-m2 sees gpu-m1");
    const setCordon = async (meshCordoned: boolean) => {
      const live = await node("gpu-m1");
      expect((await call(`${NODES}/gpu-m1`, { method: "PUT", json: { ...live, spec: { ...live.spec, meshCordoned } } })).status).toBe(200);
    };
    await setCordon(true);
    await eventually(async () => !(await peersOfTwo()).includes("gpu-m1"), "gpu-m1 leaves gpu-m2's peers when cordoned for the mesh");
    await setCordon(false);
    await eventually(async () => (await peersOfTwo()).includes("gpu-m1"), "gpu-m1 comes back when uncordoned");
    expect((await call(`${NODES}/gpu-m1`, { method: "DELETE" })).status).toBe(200);
    expect(await one.next("Goodbye")).toMatchObject({ reason: "Removed" });
    await eventually(async () => !(await peersOfTwo()).includes("gpu-m1"), "a removed node leaves every peer list");
    await eventually(async () => (await auditOf("gpu-m1")).at(-1)?.details?.reason === "Removed", "the removal's node.disconnected");
    await one.close();
    await two.close();
  });

  it.each([
    ["another node's WireGuard public key", () => hello(2), 409],
    ["an escape sequence in its mesh message", () => ({ ...hello(21), mesh: { ...hello(21).mesh, message: "ok\u001b[2J" } }), 400],
    ["a public key that is not one", () => ({ ...hello(22), mesh: { ...hello(22).mesh, publicKey: "not-a-key" } }), 400],
    ["an unknown field", () => ({ ...hello(23), extra: true }) as SessionHello, 400],
    ["a mesh address of its own choosing with WireGuard", () => ({ ...hello(24), mesh: { ...hello(24).mesh, address: "10.100.0.1" } }), 400],
  ])("refuses a session hello with %s", async (_what, make, status) => {
    const client = clientOf(tlsOf("gpu-m2"));
    await expect(client.session("gpu-m2", { ...make() })).rejects.toMatchObject({ status });
    await client.close();
  });
});
