// The guide's mTLS chapter as a new user runs it, against a real `claw server` process and the built CLI:
// pki init, pki issue gateway and node, openssl verify and x509 -text on what they wrote, a restart with the
// guide's [tls] block, whoami with the node certificate (and a refusal without one), then pki revoke: the
// same client is refused at the handshake within a second and `openssl crl -text` lists the serial.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { authPaths } from "../api/types/auth-api.js";
import { CLAW_BIN, startClawServer, type ClawServerProcess } from "../hack/testing/claw-process.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../hack/testing/https-call.js";
import { requireTool } from "../hack/testing/required-tool.js";

const openssl = requireTool("openssl", "apt-get install openssl");

describe.skipIf(!openssl.available)("the guide's mTLS chapter, end to end", () => {
  let home = "";
  let pki = "";
  let dataDir = "";
  let server: ClawServerProcess | undefined;
  const claw = (...args: string[]) => spawnSync(process.execPath, [CLAW_BIN, ...args], { env: { ...process.env, CLAW_CONFIG: join(dataDir, "admin.conf"), NO_COLOR: "1" }, encoding: "utf8" });
  const ssl = (...args: string[]) => execFileSync("openssl", args, { encoding: "utf8" });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "claw-pki-walk-"));
    pki = join(home, "pki");
    dataDir = join(home, "data");
    server = await startClawServer({ dataDir });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("initializes the PKI and prints the guide's tree", () => {
    const run = claw("pki", "init", "--dir", pki);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`PKI initialized at ${pki}/`);
    expect(run.stdout).toMatch(/├── ca\.crt\s+\(Root CA certificate\)\n.*├── ca\.key\s+\(Root CA private key - PROTECT THIS!\)\n.*└── crl\/\s+\(Certificate revocation lists\)/s);
    expect(statSync(join(pki, "ca.key")).mode & 0o777).toBe(0o600);
    // Again: nothing replaced without --force.
    const again = claw("pki", "init", "--dir", pki);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/already initialized.*--force/s);
  });

  it("issues the gateway and node certificates that openssl verifies, with their names and usages", () => {
    const gateway = claw("pki", "issue", "gateway", "--dns", "localhost", "--ip", "127.0.0.1", "--dir", pki);
    expect(gateway.status, gateway.stderr).toBe(0);
    const node = claw("pki", "issue", "node", "--name", "gpu-node-1", "--dns", "gpu-node-1.example.com", "--dir", pki);
    expect(node.status, node.stderr).toBe(0);
    for (const file of ["gateway", "node"]) {
      expect(ssl("verify", "-CAfile", join(pki, "ca.crt"), join(pki, `${file}.crt`))).toContain("OK");
      expect(statSync(join(pki, `${file}.key`)).mode & 0o777).toBe(0o600);
    }
    const gatewayText = ssl("x509", "-in", join(pki, "gateway.crt"), "-noout", "-text");
    expect(gatewayText).toMatch(/DNS:localhost.*IP Address:127\.0\.0\.1/s);
    expect(gatewayText).toContain("TLS Web Server Authentication");
    const nodeText = ssl("x509", "-in", join(pki, "node.crt"), "-noout", "-text");
    expect(nodeText).toMatch(/Subject: O ?= ?system:nodes, CN ?= ?gpu-node-1/);
    expect(nodeText).toContain("DNS:gpu-node-1.example.com");
    expect(nodeText).toContain("TLS Web Client Authentication");
  });

  it("restarts with the guide's [tls] block, accepts the node certificate as the node and refuses a client without one", async () => {
    await server!.stop();
    const toml = join(home, "gateway.toml");
    writeFileSync(toml, `[tls]\ncert = "${join(pki, "gateway.crt")}"\nkey = "${join(pki, "gateway.key")}"\nca = "${join(pki, "ca.crt")}"\nrequire_client_cert = true\n`);
    server = await startClawServer({ dataDir, extraArgs: ["--config", toml] });
    const ca = readFileSync(join(pki, "ca.crt"), "utf8");
    const node: HttpsClient = { ca, cert: readFileSync(join(pki, "node.crt"), "utf8"), key: readFileSync(join(pki, "node.key"), "utf8") };
    const who = await httpsCall(server.url, authPaths.whoami, node);
    expect(who.body).toMatchObject({ username: "system:node:gpu-node-1", method: "mtls" });
    const none = await httpsCall(server.url, authPaths.whoami, { ca });
    expect(none.status).toBe(401);
    expect(none.body.message).toMatch(/requires a client certificate/);
    // The admin is not locked out: admin.conf now carries a client certificate.
    expect(adminConfOf(readFileSync(join(dataDir, "admin.conf"), "utf8"), parseYaml).cert).toMatch(/BEGIN CERTIFICATE/);
    expect(claw("auth", "whoami").stdout).toContain("admin");
  });

  it("revokes the node certificate: refused at the handshake within a second, and on the CRL openssl reads", async () => {
    const ca = readFileSync(join(pki, "ca.crt"), "utf8");
    const node: HttpsClient = { ca, cert: readFileSync(join(pki, "node.crt"), "utf8"), key: readFileSync(join(pki, "node.key"), "utf8") };
    const serial = ssl("x509", "-in", join(pki, "node.crt"), "-noout", "-serial").trim().split("=")[1]!.toUpperCase();
    const started = Date.now();
    const revoke = claw("pki", "revoke", "node-gpu-node-1", "--reason", "keyCompromise");
    expect(revoke.status, revoke.stderr).toBe(0);
    const revokedAt = Date.now();
    let refused = false;
    while (Date.now() - revokedAt < 1_000 && !refused) refused = await httpsCall(server!.url, authPaths.whoami, node).then(() => false, () => true);
    expect(refused).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    const crl = claw("pki", "crl", "--dir", pki);
    expect(crl.status, crl.stderr).toBe(0);
    const text = ssl("crl", "-in", join(pki, "crl", "clawbernetes-ca.crl"), "-noout", "-text");
    expect(text.toUpperCase()).toContain(`SERIAL NUMBER: ${serial}`);
    expect(text).toContain("Key Compromise");
  });
});
