// Two `claw server` processes on one real etcd share one PKI: one root CA (in the store, its key sealed),
// so one admin.conf reaches either; a certificate issued through one authenticates on the other; and a
// revocation through one is refused at the other's next handshake within a second.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { authPaths } from "../api/types/auth-api.js";
import { pkiPaths, ROOT_CA_NAME, type CertificateKeyPair } from "../api/types/pki-api.js";
import { requireEtcd } from "../hack/etcd/etcd-binary.js";
import { startEtcd, type EtcdServer } from "../hack/etcd/etcd-server.js";
import { startClawServer, type ClawServerProcess } from "../hack/testing/claw-process.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../hack/testing/https-call.js";

const etcdTool = requireEtcd();

describe.skipIf(!etcdTool.available)("two servers on one etcd share one PKI", () => {
  let home: string;
  let etcd: EtcdServer;
  let a: ClawServerProcess;
  let b: ClawServerProcess;
  let admin: HttpsClient;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "claw-etcd-pki-"));
    etcd = await startEtcd();
    const args = ["--etcd-endpoints", etcd.endpoints.join(","), "--controllers=false"];
    // Both start together: they race to make the root CA, and must end with one.
    [a, b] = await Promise.all([startClawServer({ dataDir: join(home, "a"), extraArgs: args }), startClawServer({ dataDir: join(home, "b"), extraArgs: args })]);
    const written = [join(home, "a", "admin.conf"), join(home, "b", "admin.conf")].find((p) => {
      try {
        return adminConfOf(readFileSync(p, "utf8"), parseYaml).token !== undefined;
      } catch {
        return false;
      }
    });
    admin = adminConfOf(readFileSync(written!, "utf8"), parseYaml);
  }, 90_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await etcd?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("reaches both servers with one admin.conf", async () => {
    for (const server of [a, b]) expect((await httpsCall(server.url, authPaths.whoami, admin)).body.username).toBe("admin");
    expect(readFileSync(join(home, "a", "pki", "ca.crt"), "utf8")).toBe(readFileSync(join(home, "b", "pki", "ca.crt"), "utf8"));
  });

  it("enforces on one server a revocation made through the other within a second", async () => {
    const name = "node-gpu-2";
    const spec = { issuerRef: { name: ROOT_CA_NAME }, commonName: "gpu-2", subject: { organizations: ["system:nodes"] }, usages: ["digital signature", "client auth"] };
    expect((await httpsCall(a.url, "/apis/security.clawbernetes.com/v1/certificates", admin, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name }, spec } })).status).toBe(201);
    expect((await httpsCall(a.url, pkiPaths.issue(name), admin, { method: "POST", json: {} })).status).toBe(201);
    const pair = (await httpsCall<CertificateKeyPair>(a.url, pkiPaths.privateKey(name), admin, { method: "POST", json: {} })).body;
    const node: HttpsClient = { ca: admin.ca, cert: pair.certificate + pair.chain, key: pair.privateKey };
    expect((await httpsCall(b.url, authPaths.whoami, node)).body.username).toBe("system:node:gpu-2");
    const revokedAt = Date.now();
    expect((await httpsCall(a.url, pkiPaths.revoke(name), admin, { method: "POST", json: { reason: "keyCompromise" } })).status).toBe(200);
    let refused = false;
    while (Date.now() - revokedAt < 1_000 && !refused) refused = await httpsCall(b.url, authPaths.whoami, node).then(() => false, () => true);
    expect(refused).toBe(true);
  });
});
