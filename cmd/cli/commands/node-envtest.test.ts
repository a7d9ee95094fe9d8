// `claw node` end to end against the real API server (test/envtest.ts) and the real certificates controllers,
// on one fake clock: Nodes are created and their status written through the status subresource as the admin
// (as the server's session code would), their certificates issued with `claw pki issue node`; then list, info,
// mesh, cordon and remove are checked against what the store holds afterwards.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RestClient } from "../../../api/client/rest-client.js";
import { FakeClock } from "../../../api/machinery/clock.js";
import type { KubeList } from "../../../api/machinery/meta.js";
import { SECURITY_API } from "../../../api/types/auth-api.js";
import type { Certificate } from "../../../api/types/certificate.js";
import type { Node, NodeStatus } from "../../../api/types/node.js";
import { CONTROLLERS } from "../../server/controllers.js";
import { Manager } from "../../../controllers/runtime/manager.js";
import { silentLogger } from "../../../controllers/runtime/testing/silent-logger.js";
import { controllerIdentityClient } from "../../../controllers/secrets/testing/controller-identity.js";
import { startEnvTest, type EnvTest } from "../../../test/envtest.js";
import { buildKubeconfig, serializeKubeconfig } from "../config/kubeconfig.js";
import { ExitCode } from "../exit-codes.js";
import { CliHarness } from "../testing/cli-harness.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
let controllerClient: RestClient;
let manager: Manager;
let admin: CliHarness;
let dir: string;

const claw = (...args: string[]) => admin.run(["node", ...args]);
const table = (text: string) => text.trimEnd().split("\n").map((l) => l.split(/\s{3,}/));
const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const res = await env.request(path);
  return { status: res.status, body: (await res.json()) as T };
};
const certificate = async (name: string) => (await getJson<Certificate>(`${SECURITY_API}/certificates/${name}`)).body;
const nodeObject = async (name: string) => getJson<Node>(`${SECURITY_API}/nodes/${name}`);

/** Registers a node as join would, then writes its status as the session would, both as the admin. */
async function registerNode(name: string, labels: Record<string, string>, status: NodeStatus): Promise<void> {
  const created = await env.request(`${SECURITY_API}/nodes`, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Node", metadata: { name, labels }, spec: {} } });
  expect(created.status).toBe(201);
  const patched = await env.request(`${SECURITY_API}/nodes/${name}/status`, { method: "PATCH", json: { status }, headers: { "Content-Type": "application/merge-patch+json" } });
  expect(patched.status).toBe(200);
}

/** The status of a connected node holding the certificate the controllers issued it. */
async function connectedStatus(node: string, mesh: NodeStatus["mesh"]): Promise<NodeStatus> {
  const cert = await certificate(`node-${node}`);
  return {
    connected: true,
    gateway: "gateway-1",
    connectedAt: "2026-03-01T07:00:00Z",
    lastHeartbeatTime: "2026-03-01T07:59:48Z",
    agentVersion: "v1.2.0",
    addresses: [{ type: "Source", address: "203.0.113.7" }],
    certificate: { name: cert.metadata.name, serialNumber: cert.status!.serialNumber!, notAfter: cert.status!.notAfter! },
    ...(mesh ? { mesh } : {}),
  };
}

describe("claw node against the server", () => {
  beforeAll(async () => {
    env = await startEnvTest({ clock, controllerIdentity: true });
    controllerClient = controllerIdentityClient(env);
    manager = new Manager({ client: controllerClient, clock, logger: silentLogger(), controllers: CONTROLLERS });
    manager.start();
    admin = await CliHarness.create(clock);
    await mkdir(join(admin.homeDir, ".claw"), { recursive: true });
    await writeFile(join(admin.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
    dir = await mkdtemp(join(tmpdir(), "claw-node-envtest-"));
    for (const name of ["gpu-node-1", "gpu-node-2"]) expect((await admin.run(["pki", "issue", "node", "--name", name, "--dir", join(dir, name)])).code).toBe(0);
    await registerNode(
      "gpu-node-1",
      { gpu: "a100" },
      await connectedStatus("gpu-node-1", { provider: "wireguard", address: "10.100.0.5", publicKey: "mQ3bXk9ZpL2vR8tYw4nC6sD1fG7hJ0kM5aE3iO9uQ2c=", endpoint: "203.0.113.7:51820", peers: 2, peersUp: 1, latestHandshakeTime: "2026-03-01T07:59:50Z" }),
    );
    await registerNode("gpu-node-2", { gpu: "h100" }, { ...(await connectedStatus("gpu-node-2", { provider: "none" })), connected: false, disconnectedAt: "2026-03-01T07:30:00Z", disconnectReason: "HeartbeatTimeout" });
    // Joined, never connected, and no certificate any more.
    await registerNode("gpu-node-3", { gpu: "a100" }, { connected: false });
  });
  afterAll(async () => {
    await manager?.stop();
    await controllerClient?.close();
    await admin?.dispose();
    await env?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("list shows each node's connection, mesh IP and what is left of its certificate", async () => {
    const run = await claw("list");
    expect(run.code).toBe(0);
    expect(table(run.stdout)).toEqual([
      ["NAME", "CONNECTED", "MESH IP", "CERT EXPIRES IN"],
      ["gpu-node-1", "yes", "10.100.0.5", "90d"],
      ["gpu-node-2", "no", "-", "90d"],
      ["gpu-node-3", "no", "-", "-"],
    ]);
  });

  it("list -o wide adds the agent, the heartbeat's age and the cordon; -l selects by label", async () => {
    const run = await claw("list", "-o", "wide", "-l", "gpu=a100");
    expect(table(run.stdout)).toEqual([
      ["NAME", "CONNECTED", "MESH IP", "CERT EXPIRES IN", "AGENT", "LAST HEARTBEAT", "CORDONED"],
      ["gpu-node-1", "yes", "10.100.0.5", "90d", "v1.2.0", "12s", "no"],
      ["gpu-node-3", "no", "-", "-", "-", "never", "no"],
    ]);
  });

  it("list -o json prints the Nodes as a List", async () => {
    const run = await claw("list", "-o", "json");
    const list = JSON.parse(run.stdout) as KubeList<Node>;
    expect(list.kind).toBe("List");
    expect(list.items.map((n) => [n.metadata.name, n.status?.connected])).toEqual([
      ["gpu-node-1", true],
      ["gpu-node-2", false],
      ["gpu-node-3", false],
    ]);
    expect(list.items[0]!.metadata.managedFields).toBeUndefined();
  });

  it("info shows why a node's session ended, and its certificate", async () => {
    const run = await claw("info", "gpu-node-2");
    expect(run.code).toBe(0);
    const cert = await certificate("node-gpu-node-2");
    expect(run.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        "Name:                 gpu-node-2",
        "Labels:               gpu=h100",
        "  Disconnected:       2026-03-01T07:30:00Z (30m ago)",
        "  Disconnect Reason:  HeartbeatTimeout",
        `  Serial Number:      ${cert.status!.serialNumber}`,
        "  Expires:            2026-05-30T08:00:00Z (in 90d)",
        "  Provider:           none",
      ]),
    );
  });

  it("info -o yaml prints the Node", async () => {
    const run = await claw("info", "gpu-node-1", "-o", "yaml");
    expect(run.stdout).toMatch(/^apiVersion: security\.clawbernetes\.com\/v1\nkind: Node\n/);
    expect(run.stdout).toContain("publicKey: mQ3bXk9ZpL2vR8tYw4nC6sD1fG7hJ0kM5aE3iO9uQ2c=");
  });

  it.each([
    ["info", ["info", "gpu-node-9"]],
    ["cordon", ["cordon", "gpu-node-9"]],
    ["remove", ["remove", "gpu-node-9"]],
  ])("%s of a node that does not exist says where the names are, with exit 6", async (_verb, args) => {
    expect(await claw(...args)).toEqual({ code: ExitCode.NotFound, stdout: "", stderr: `error: there is no node "gpu-node-9"; 'claw node list' shows the nodes there are\n` });
  });

  it("mesh shows each node's place in the mesh, - where the mesh is off", async () => {
    const run = await claw("mesh");
    expect(table(run.stdout)).toEqual([
      ["NAME", "MESH IP", "PUBLIC KEY", "ENDPOINT", "PEERS UP", "LAST HANDSHAKE", "CONNECTED"],
      ["gpu-node-1", "10.100.0.5", "mQ3bXk9Z…", "203.0.113.7:51820", "1/2", "10s", "yes"],
      ["gpu-node-2", "-", "-", "-", "-", "-", "no"],
      ["gpu-node-3", "-", "-", "-", "-", "-", "no"],
    ]);
    const json = JSON.parse((await claw("mesh", "-o", "json")).stdout) as { name: string; mesh: unknown }[];
    expect(json.map((n) => [n.name, n.mesh])).toEqual([
      ["gpu-node-1", expect.objectContaining({ address: "10.100.0.5", peersUp: 1 })],
      ["gpu-node-2", { provider: "none" }],
      ["gpu-node-3", null],
    ]);
  });

  it("cordon and uncordon set spec.cordoned, --mesh spec.meshCordoned, and say when nothing changed", async () => {
    expect((await claw("cordon", "gpu-node-1")).stdout).toBe('node "gpu-node-1" cordoned\n');
    expect((await claw("cordon", "gpu-node-1")).stdout).toBe('node "gpu-node-1" was already cordoned\n');
    expect((await claw("cordon", "gpu-node-1", "--mesh")).stdout).toBe('node "gpu-node-1" cordoned for the mesh\n');
    expect((await nodeObject("gpu-node-1")).body.spec).toEqual({ cordoned: true, meshCordoned: true });
    expect(table((await claw("list", "-o", "wide", "-l", "gpu=a100")).stdout)[1]![6]).toBe("yes, mesh");
    expect((await claw("uncordon", "gpu-node-1")).stdout).toBe('node "gpu-node-1" uncordoned\n');
    expect((await nodeObject("gpu-node-1")).body.spec).toEqual({ cordoned: false, meshCordoned: true });
    expect((await claw("uncordon", "gpu-node-1", "--mesh")).stdout).toBe('node "gpu-node-1" uncordoned for the mesh\n');
    expect((await nodeObject("gpu-node-1")).body.spec).toEqual({ cordoned: false, meshCordoned: false });
  });

  it("remove revokes the node's certificate for cessationOfOperation, then deletes the node", async () => {
    const serial = (await certificate("node-gpu-node-1")).status!.serialNumber!;
    expect(await claw("remove", "gpu-node-1")).toEqual({
      code: 0,
      stdout: `certificate node-gpu-node-1 revoked (serial ${serial}, reason cessationOfOperation)\nnode "gpu-node-1" deleted\n`,
      stderr: "",
    });
    const revoked = await certificate("node-gpu-node-1");
    expect(revoked.spec).toMatchObject({ revoked: true, revocationReason: "cessationOfOperation" });
    expect(revoked.status?.revokedAt).toBe("2026-03-01T08:00:00Z");
    expect((await nodeObject("gpu-node-1")).status).toBe(404);
  });

  it("remove --keep-certificate deletes the node, leaves its certificate valid and warns that the node can come back", async () => {
    const run = await claw("remove", "gpu-node-2", "--keep-certificate");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('certificate node-gpu-node-2 kept (not revoked)\nnode "gpu-node-2" deleted\n');
    expect(run.stderr).toContain('Warning: node "gpu-node-2" can come back');
    expect((await certificate("node-gpu-node-2")).spec?.revoked).toBeFalsy();
    expect((await nodeObject("gpu-node-2")).status).toBe(404);
  });

  it("remove of a node without a certificate says there was none to revoke and deletes the node", async () => {
    expect(await claw("remove", "gpu-node-3")).toEqual({ code: 0, stdout: 'certificate node-gpu-node-3 not found: nothing to revoke\nnode "gpu-node-3" deleted\n', stderr: "" });
    expect((await nodeObject("gpu-node-3")).status).toBe(404);
    expect(await claw("list")).toEqual({ code: 0, stdout: "", stderr: "No resources found\n" });
  });
});
