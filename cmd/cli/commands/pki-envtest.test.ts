// `claw pki` end to end against the real API server (test/envtest.ts, with the PKI module) and the real
// certificates controllers, on one fake clock: the guide's init → issue gateway → issue node, then list,
// revoke, the CRL, renew, re-issue and init --force. The files are checked with node:crypto.

import { createPrivateKey, X509Certificate } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RestClient } from "../../../api/client/rest-client.js";
import { FakeClock } from "../../../api/machinery/clock.js";
import { SECURITY_API } from "../../../api/types/auth-api.js";
import type { Certificate } from "../../../api/types/certificate.js";
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

const claw = (...args: string[]) => admin.run(["pki", ...args]);
const get = async (name: string): Promise<Certificate> => (await (await env.request(`${SECURITY_API}/certificates/${name}`)).json()) as Certificate;
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const pemCount = (text: string) => text.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
const certAt = async (file: string) => new X509Certificate(await readFile(join(dir, file)));

describe("claw pki against the server", () => {
  beforeAll(async () => {
    env = await startEnvTest({ clock, controllerIdentity: true });
    controllerClient = controllerIdentityClient(env);
    manager = new Manager({ client: controllerClient, clock, logger: silentLogger(), controllers: CONTROLLERS });
    manager.start();
    admin = await CliHarness.create(clock);
    await mkdir(join(admin.homeDir, ".claw"), { recursive: true });
    await writeFile(join(admin.homeDir, ".claw", "config"), serializeKubeconfig(buildKubeconfig({ server: env.url, token: env.token })), { mode: 0o600 });
    dir = join(await mkdtemp(join(tmpdir(), "claw-pki-envtest-")), "pki");
  });
  afterAll(async () => {
    await manager?.stop();
    await controllerClient?.close();
    await admin?.dispose();
    await env?.stop();
    if (dir) await rm(join(dir, ".."), { recursive: true, force: true });
  });

  it("init writes the guide's tree: ca.crt 0644, ca.key 0600 and the CRL in crl/ 0755", async () => {
    const run = await claw("init", "--dir", dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `PKI initialized at ${dir}/\n├── ca.crt          (Root CA certificate)\n├── ca.key          (Root CA private key - PROTECT THIS!)\n└── crl/            (Certificate revocation lists)\n`,
    );
    expect(run.stderr).toContain(`Warning: ${join(dir, "ca.key")} is the root CA's private key`);
    const ca = await certAt("ca.crt");
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain("CN=Clawbernetes Root CA");
    expect(ca.checkPrivateKey(createPrivateKey(await readFile(join(dir, "ca.key"))))).toBe(true);
    expect([await modeOf(join(dir, "ca.crt")), await modeOf(join(dir, "ca.key")), await modeOf(join(dir, "crl"))]).toEqual([0o644, 0o600, 0o755]);
    expect(await readFile(join(dir, "crl", "clawbernetes-ca.crl"), "utf8")).toMatch(/^-----BEGIN X509 CRL-----/);
  });

  it("init again changes nothing and exits 7", async () => {
    const before = await readFile(join(dir, "ca.crt"), "utf8");
    const run = await claw("init", "--dir", dir);
    expect(run.code).toBe(ExitCode.Conflict);
    expect(run.stderr).toContain(`error: the PKI is already initialized at ${dir}/`);
    expect(await readFile(join(dir, "ca.crt"), "utf8")).toBe(before);
  });

  it("issue gateway waits for the controllers and writes the certificate with its chain and the key, 0600", async () => {
    const run = await claw("issue", "gateway", "--dns", "gateway.example.com", "--ip", "10.0.0.1", "--dir", dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("Waiting for certificate gateway to be issued...\n");
    expect(run.stdout).toMatch(/^certificate gateway issued \(serial [0-9a-f]+, expires 2026-05-30T08:00:00Z\)\n/);
    const crt = await readFile(join(dir, "gateway.crt"), "utf8");
    expect(pemCount(crt)).toBe(2);
    const leaf = new X509Certificate(crt);
    const ca = await certAt("ca.crt");
    expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subject).toContain("CN=gateway.example.com");
    expect(leaf.subjectAltName).toBe("DNS:gateway.example.com, IP Address:10.0.0.1");
    expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(leaf.checkPrivateKey(createPrivateKey(await readFile(join(dir, "gateway.key"))))).toBe(true);
    expect(await modeOf(join(dir, "gateway.key"))).toBe(0o600);
  });

  it("issue node writes a node identity: organization system:nodes, client and server auth", async () => {
    const run = await claw("issue", "node", "--name", "gpu-node-1", "--dns", "gpu-node-1.example.com", "--dir", dir);
    expect(run.code).toBe(0);
    const leaf = await certAt("node.crt");
    expect(leaf.subject.split("\n")).toEqual(expect.arrayContaining(["O=system:nodes", "CN=gpu-node-1"]));
    expect([...(leaf.keyUsage ?? [])].sort()).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    expect(leaf.checkPrivateKey(createPrivateKey(await readFile(join(dir, "node.key"))))).toBe(true);
    expect((await get("node-gpu-node-1")).spec).toMatchObject({ commonName: "gpu-node-1", subject: { organizations: ["system:nodes"] }, issuerRef: { name: "clawbernetes-ca" } });
  });

  it("list shows each certificate with its days left, without colour into a pipe", async () => {
    const run = await claw("list");
    const rows = run.stdout.trimEnd().split("\n").map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(["NAME", "COMMON NAME", "CA", "ISSUER", "READY", "EXPIRES", "DAYS LEFT", "REVOKED"]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ["clawbernetes-ca", "Clawbernetes Root CA", "true", "self-signed", "True", expect.any(String), "3650", "false"],
        ["gateway", "gateway.example.com", "false", "clawbernetes-ca", "True", "2026-05-30T08:00:00Z", "90", "false"],
        ["node-gpu-node-1", "gpu-node-1", "false", "clawbernetes-ca", "True", "2026-05-30T08:00:00Z", "90", "false"],
      ]),
    );
    expect(run.stdout).not.toContain("\u001b[");
  });

  it("revoke puts the serial on the CRL, which crl writes and lists", async () => {
    const serial = (await get("node-gpu-node-1")).status!.serialNumber!;
    expect(await claw("revoke", "node-gpu-node-1", "--reason", "keyCompromise")).toEqual({ code: 0, stdout: `certificate node-gpu-node-1 revoked (serial ${serial}, reason keyCompromise)\n`, stderr: "" });
    const run = await claw("crl", "--dir", dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${join(dir, "crl", "clawbernetes-ca.crl")}\n`);
    expect(run.stdout).toMatch(/^Revoked: {6}1$/m);
    expect(run.stdout).toMatch(new RegExp(`^${serial}\\s+\\S+\\s+keyCompromise$`, "m"));
  });

  it("issue refuses a revoked certificate before writing, saying how to start again, with exit 7", async () => {
    const before = await get("node-gpu-node-1");
    const run = await claw("issue", "node", "--name", "gpu-node-1", "--dns", "other.example.com", "--dir", dir);
    expect(run).toEqual({
      code: ExitCode.Conflict,
      stdout: "",
      stderr: "error: certificate node-gpu-node-1 is revoked (keyCompromise), which cannot be undone; delete it ('claw delete certificate node-gpu-node-1') and issue it again\n",
    });
    expect((await get("node-gpu-node-1")).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it("renew issues the certificate again: a new revision and serial", async () => {
    const before = (await get("gateway")).status!;
    const run = await claw("renew", "gateway");
    expect(run.code).toBe(0);
    const after = (await get("gateway")).status!;
    expect(after.revision).toBe((before.revision ?? 0) + 1);
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(run.stdout).toBe(`certificate gateway renewed: revision ${after.revision}, serial ${after.serialNumber}, expires ${after.notAfter}\n`);
  });

  it("issue again with other names updates the certificate and rewrites the files, tightening a loosened key", async () => {
    await chmod(join(dir, "gateway.key"), 0o644);
    const run = await claw("issue", "gateway", "--dns", "gw.example.com,gateway.example.com", "--dir", dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^certificate gateway issued /);
    expect((await certAt("gateway.crt")).subjectAltName).toBe("DNS:gw.example.com, DNS:gateway.example.com");
    expect(await modeOf(join(dir, "gateway.key"))).toBe(0o600);
    expect((await claw("issue", "gateway", "--dns", "gw.example.com,gateway.example.com", "--dir", dir)).stdout).toMatch(/^certificate gateway unchanged /);
  });

  it("init --force renews the root CA with a new key, rewrites the files and warns what follows", async () => {
    const before = await certAt("ca.crt");
    const run = await claw("init", "--dir", dir, "--force");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`PKI initialized at ${dir}/\n`);
    expect(run.stderr).toContain("the root CA was renewed with a new key: the server reissues every certificate it signed");
    const after = await certAt("ca.crt");
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect(after.publicKey.equals(before.publicKey)).toBe(false);
    expect(after.checkPrivateKey(createPrivateKey(await readFile(join(dir, "ca.key"))))).toBe(true);
  });
});
