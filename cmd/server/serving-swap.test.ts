// The server's own certificate is a Certificate in the store: when it is issued again (a renewal), the
// listening server swaps it in for the next handshake without a restart, and connections already open
// keep working.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { silentLogger } from "../../controllers/runtime/testing/silent-logger.js";
import { authPaths } from "../../api/types/auth-api.js";
import type { Certificate } from "../../api/types/certificate.js";
import { pkiPaths } from "../../api/types/pki-api.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../../hack/testing/https-call.js";
import { runServer, type RunningServer } from "./run-server.js";

const API = "/apis/security.clawbernetes.com/v1/certificates";

/** The serial of the certificate a fresh handshake is served. */
function servedSerial(url: string, ca: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: hostname }, () => {
      const serial = socket.getPeerCertificate().serialNumber.toLowerCase();
      socket.end();
      resolve(serial);
    });
    socket.once("error", reject);
  });
}

describe("the serving certificate", () => {
  let dataDir = "";
  let server: RunningServer;
  let admin: HttpsClient;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "claw-swap-"));
    server = await runServer({ config: { listen: { host: "127.0.0.1", port: 0 }, dataDir, etcdEndpoints: [], maxRequestBytes: 1 << 20, sections: {} }, logger: silentLogger(), announce: () => {}, controllers: false });
    admin = adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("is a Certificate signed by the root CA, naming the listen address", async () => {
    const list = (await httpsCall(server.url, API, admin)).body as { items: Certificate[] };
    const serving = list.items.find((c) => c.metadata.name.startsWith("claw-server-"));
    expect(serving?.spec?.ipAddresses).toContain("127.0.0.1");
    expect(await servedSerial(server.url, admin.ca)).toBe(serving?.status?.serialNumber);
  });

  it("is swapped in when issued again, without a restart and without dropping open connections", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const kept = { ...admin, agent };
    expect((await httpsCall(server.url, authPaths.whoami, kept)).status).toBe(200);
    const list = (await httpsCall(server.url, API, admin)).body as { items: Certificate[] };
    const name = list.items.find((c) => c.metadata.name.startsWith("claw-server-"))!.metadata.name;
    const before = await servedSerial(server.url, admin.ca);
    const renewed = (await httpsCall<Certificate>(server.url, pkiPaths.issue(name), admin, { method: "POST", json: { reason: "ManuallyTriggered" } })).body;
    expect(renewed.status?.serialNumber).not.toBe(before);
    let served = before;
    const started = Date.now();
    while (served === before && Date.now() - started < 2_000) served = await servedSerial(server.url, admin.ca);
    expect(served).toBe(renewed.status?.serialNumber);
    // The connection opened before the swap still answers.
    expect((await httpsCall(server.url, authPaths.whoami, kept)).status).toBe(200);
    agent.destroy();
  });
});
