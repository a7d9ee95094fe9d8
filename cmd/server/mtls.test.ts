// The guide's mTLS chapter against real servers: certificates issued by the server's CA, a restart with the
// guide's [tls] block (cert, key, ca, require_client_cert = true), a node certificate authenticating as
// its node, a client without a certificate told how to get one, the admin never locked out, and a
// revocation refused at the next handshake (and live connections closed) within a second.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { silentLogger } from "../../controllers/runtime/testing/silent-logger.js";
import { authPaths } from "../../api/types/auth-api.js";
import type { Certificate } from "../../api/types/certificate.js";
import { pkiPaths, ROOT_CA_NAME, type CertificateKeyPair } from "../../api/types/pki-api.js";
import { adminConfOf, httpsCall as call, type HttpsClient as Client } from "../../hack/testing/https-call.js";
import { runServer, type RunningServer } from "./run-server.js";
import type { ServerConfig } from "./server-config.js";

const API = "/apis/security.clawbernetes.com/v1/certificates";

const config = (dataDir: string, tls: Record<string, unknown> = {}): ServerConfig => ({ listen: { host: "127.0.0.1", port: 0 }, dataDir, etcdEndpoints: [], maxRequestBytes: 1 << 20, sections: { tls } });

describe("mTLS with the server's PKI", () => {
  let dataDir = "";
  let pkiDir = "";
  let server: RunningServer | undefined;
  let admin: Client;
  let nodeSerial = "";

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "claw-mtls-"));
    pkiDir = join(dataDir, "etc-pki");
    const first = await runServer({ config: config(dataDir), logger: silentLogger(), announce: () => {}, controllers: false });
    const asAdmin = adminConfOf(readFileSync(first.adminConfigPath, "utf8"), parseYaml);
    const token = asAdmin.token!;
    const make = async (name: string, spec: Record<string, unknown>): Promise<CertificateKeyPair> => {
      expect((await call(first.url, API, asAdmin, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name }, spec: { issuerRef: { name: ROOT_CA_NAME }, ...spec } } })).status).toBe(201);
      expect((await call(first.url, pkiPaths.issue(name), asAdmin, { method: "POST", json: {} })).status).toBe(201);
      return (await call<CertificateKeyPair>(first.url, pkiPaths.privateKey(name), asAdmin, { method: "POST", json: {} })).body;
    };
    const gateway = await make("gateway", { commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usages: ["digital signature", "key encipherment", "server auth"] });
    const node = await make("node-gpu-node-1", { commonName: "gpu-node-1", subject: { organizations: ["system:nodes"] }, usages: ["digital signature", "key encipherment", "client auth", "server auth"] });
    nodeSerial = node.serialNumber;
    const { mkdirSync } = await import("node:fs");
    mkdirSync(pkiDir, { recursive: true });
    writeFileSync(join(pkiDir, "ca.crt"), gateway.ca);
    writeFileSync(join(pkiDir, "gateway.crt"), gateway.certificate + gateway.chain);
    writeFileSync(join(pkiDir, "gateway.key"), gateway.privateKey, { mode: 0o600 });
    writeFileSync(join(pkiDir, "node.crt"), node.certificate + node.chain);
    writeFileSync(join(pkiDir, "node.key"), node.privateKey, { mode: 0o600 });
    await first.stop();
    // The guide's [tls] block, with the files the PKI issued.
    server = await runServer({
      config: config(dataDir, { cert: join(pkiDir, "gateway.crt"), key: join(pkiDir, "gateway.key"), ca: join(pkiDir, "ca.crt"), require_client_cert: true }),
      logger: silentLogger(),
      announce: () => {},
      controllers: false,
    });
    admin = { ...adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml), token };
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const nodeClient = (): Client => ({ ca: readFileSync(join(pkiDir, "ca.crt"), "utf8"), cert: readFileSync(join(pkiDir, "node.crt"), "utf8"), key: readFileSync(join(pkiDir, "node.key"), "utf8") });

  it("authenticates a node certificate as its node, with the node role and no User object", async () => {
    const who = await call(server!.url, authPaths.whoami, nodeClient());
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ username: "system:node:gpu-node-1", method: "mtls", roles: ["node"] });
    expect(who.body.permissions).toEqual(expect.arrayContaining(["metrics:write", "logs:write", "workloads:execute"]));
  });

  it("tells a client without a certificate that one is required and how to get one", async () => {
    const anonymous = await call(server!.url, authPaths.whoami, { ca: nodeClient().ca });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toMatch(/requires a client certificate.*admin\.conf.*claw pki issue/);
    // Even an API key is not enough without a certificate.
    expect((await call(server!.url, authPaths.whoami, { ca: nodeClient().ca, token: admin.token! })).status).toBe(401);
  });

  it("never locks out the admin: admin.conf carries a client certificate", async () => {
    expect(admin.cert).toMatch(/BEGIN CERTIFICATE/);
    const who = await call(server!.url, authPaths.whoami, admin);
    expect(who.status).toBe(200);
    expect(who.body.username).toBe("admin");
  });

  it("refuses a revoked certificate at the handshake within a second, and closes its live connections", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const live = { ...nodeClient(), agent };
    expect((await call(server!.url, authPaths.whoami, live)).status).toBe(200);
    const revokedAt = Date.now();
    const revoked = await call(server!.url, pkiPaths.revoke("node-gpu-node-1"), admin, { method: "POST", json: { reason: "keyCompromise" } });
    expect(revoked.status).toBe(200);
    expect((revoked.body as unknown as Certificate).spec?.revoked).toBe(true);
    let refused = false;
    while (Date.now() - revokedAt < 1_000 && !refused) refused = await call(server!.url, authPaths.whoami, nodeClient()).then(() => false, () => true);
    expect(refused).toBe(true);
    // The kept-alive connection opened before the revocation is gone too.
    await expect(call(server!.url, authPaths.whoami, live)).rejects.toThrow();
    agent.destroy();
    const crl = readFileSync(join(dataDir, "pki", "crl", `${ROOT_CA_NAME}.crl`), "utf8");
    const { crlSerials } = await import("../../api/pki/certificate-facts.js");
    expect(crlSerials(crl)).toContain(nodeSerial);
  });
});
