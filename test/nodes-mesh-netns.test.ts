// The guide's WireGuard mesh for real, as an operator sets it up: a `claw server` (listening on every address of
// a gateway namespace, so its certificate names them) and two agents (`claw node join`, then `claw node run`) in namespaces of their own, all on one bridge with
// documentation-range addresses the test owns. The agents bring up the mesh from what their sessions send;
// a ping crosses it; revoking one node's certificate takes its peer out of the other within seconds, and the
// ping fails; gpu-a also keeps the BlockRules in its kernel. Everything runs the built CLI (dist/), as `npm test` builds it first.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Node } from "../api/types/node.js";
import type { BootstrapTokenCreated } from "../api/types/nodes-api.js";
import { NetnsLab, netnsSkipReason, type Spawned } from "../cmd/node/testing/netns.js";
import { waitUntil } from "../cmd/node/testing/wait-until.js";

const skip = netnsSkipReason({ wireguard: true, ping: true });
const CLAW = join(import.meta.dirname, "..", "dist", "cmd", "claw.js");
const GATEWAY = "198.51.100.1";

describe.skipIf(skip !== undefined)(`two agents form the WireGuard mesh${skip ? ` (${skip})` : ""}`, () => {
  let lab: NetnsLab;
  let gw = "";
  let dir = "";
  let server: Spawned;
  const agents: Record<string, { ns: string; config: string; run?: Spawned }> = {};

  /** The CLI as the admin, inside the gateway's namespace. */
  const claw = async (...args: string[]) => {
    const result = await lab.exec(gw, "node", [CLAW, "--config", join(dir, "data", "admin.conf"), ...args]);
    if (result.code !== 0) throw new Error(`claw ${args.join(" ")}: ${result.stderr}`);
    return result.stdout;
  };
  const node = async (name: string) => JSON.parse(await claw("get", "node", name, "-o", "json")) as Node;
  const ping = async (from: string, to: string) => (await lab.exec(agents[from]!.ns, "ping", ["-c", "1", "-W", "1", to])).code;

  const agent = async (name: string, address: string) => {
    const ns = await lab.namespace(name);
    await switchboard.attach(ns, `${address}/24`);
    const config = join(dir, `${name}.toml`);
    writeFileSync(
      config,
      `[node]
name = "${name}"
gateway = "https://${GATEWAY}:8443"
data_dir = "${join(dir, name)}"

[tls]
cert = "${join(dir, name, "node.crt")}"
key = "${join(dir, name, "node.key")}"
ca = "${join(dir, name, "ca.crt")}"

[network]
provider = "wireguard"

[network.wireguard]
interface = "${lab.wireguardName(name.slice(-1))}"
listen_port = 51820
endpoint = "${address}:51820"
allowed_ips = ["10.100.0.0/16"]
persistent_keepalive = 25

[network.firewall]
enforce_blocklist = ${name === "gpu-a"}
`,
    );
    agents[name] = { ns, config };
  };
  let switchboard: Awaited<ReturnType<NetnsLab["switch"]>>;

  beforeAll(async () => {
    lab = await NetnsLab.create();
    dir = await lab.tempDir();
    switchboard = await lab.switch("sw");
    gw = await lab.namespace("gw");
    await switchboard.attach(gw, `${GATEWAY}/24`);
    server = lab.spawn(gw, "node", [CLAW, "server", "--listen", "0.0.0.0:8443", "--data-dir", join(dir, "data"), "--log-level", "warn"]);
    await server.line((l) => l.includes("admin.conf"), 60_000);
    await agent("gpu-a", "198.51.100.2");
    await agent("gpu-b", "198.51.100.3");
  }, 120_000);

  afterAll(() => lab?.cleanup(), 60_000);

  it("joins both nodes with bootstrap tokens, by CSR, trusting the gateway by its CA's hash", async () => {
    for (const name of ["gpu-a", "gpu-b"]) {
      const token = JSON.parse(await claw("node", "token", "create", "--ttl", "10m", "-o", "json")) as BootstrapTokenCreated;
      const hash = (await lab.exec(gw, "sh", ["-c", `openssl x509 -in ${join(dir, "data", "pki", "ca.crt")} -outform DER | sha256sum | cut -d' ' -f1`])).stdout.trim();
      const joined = await lab.exec(agents[name]!.ns, "node", [CLAW, "node", "join", "--token", token.token, "--config", agents[name]!.config, "--ca-cert-hash", `sha256:${hash}`]);
      expect(joined.stderr).toBe("");
      expect(joined.stdout).toContain(`node ${name} joined`);
    }
  }, 60_000);

  it("brings up the mesh from the sessions: a ping between the mesh addresses succeeds", async () => {
    for (const name of ["gpu-a", "gpu-b"]) agents[name]!.run = lab.spawn(agents[name]!.ns, "node", [CLAW, "node", "run", "--config", agents[name]!.config]);
    await waitUntil(async () => (await node("gpu-a")).status?.connected === true && (await node("gpu-b")).status?.connected === true, { timeoutMs: 30_000, what: "both agents connected" });
    const meshB = (await node("gpu-b")).status!.mesh!.address!;
    const meshA = (await node("gpu-a")).status!.mesh!.address!;
    expect([meshA, meshB].sort()).toEqual(["10.100.0.1", "10.100.0.2"]);
    await waitUntil(async () => (await ping("gpu-a", meshB)) === 0, { timeoutMs: 30_000, what: `gpu-a to reach gpu-b at ${meshB} over WireGuard` });
    expect(await ping("gpu-b", meshA)).toBe(0);
  }, 90_000);

  it("drops a BlockRule's source in the kernel of a node that enforces the blocklist, and lets it through once unblocked", async () => {
    const underlay = async () => (await lab.exec(agents["gpu-b"]!.ns, "ping", ["-c", "1", "-W", "1", "198.51.100.2"])).code;
    expect(await underlay()).toBe(0);
    await claw("security", "block", "198.51.100.3", "--reason", "netns test");
    await waitUntil(async () => (await underlay()) !== 0, { timeoutMs: 15_000, what: "gpu-a's kernel to drop gpu-b's address" });
    expect((await lab.exec(agents["gpu-a"]!.ns, "nft", ["list", "table", "inet", "claw_blocklist"])).stdout).toContain("198.51.100.3");
    await claw("security", "unblock", "198.51.100.3");
    await waitUntil(async () => (await underlay()) === 0, { timeoutMs: 15_000, what: "gpu-a's kernel to let gpu-b through again" });
  }, 60_000);

  it("takes a revoked node out of the other's peers within seconds, and the ping fails", async () => {
    const meshB = (await node("gpu-b")).status!.mesh!.address!;
    const started = Date.now();
    await claw("pki", "revoke", "node-gpu-b", "--reason", "keyCompromise");
    await waitUntil(async () => (await ping("gpu-a", meshB)) !== 0, { timeoutMs: 15_000, what: "gpu-b's peer to leave gpu-a" });
    const seconds = (Date.now() - started) / 1000;
    console.log(`revocation to ping failure: ${seconds.toFixed(2)} s`);
    expect(seconds).toBeLessThan(10);
    await waitUntil(async () => (await node("gpu-b")).status?.connected === false, { timeoutMs: 15_000, what: "gpu-b's session to end" });
    expect((await node("gpu-b")).status?.disconnectReason).toMatch(/CertificateRevoked|Closed/);
  }, 60_000);
});
