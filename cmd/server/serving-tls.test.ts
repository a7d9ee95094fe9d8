// [tls] cipher_suites and min_version are enforced at the handshake, and a bad suite name stops the server.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../controllers/runtime/testing/silent-logger.js";
import { runServer, type RunningServer } from "./run-server.js";
import type { ServerConfig } from "./server-config.js";
import { planServingTls } from "./serving-tls.js";

const config = (dataDir: string, tls: Record<string, unknown>): ServerConfig => ({ listen: { host: "127.0.0.1", port: 0 }, dataDir, etcdEndpoints: [], maxRequestBytes: 1 << 20, sections: { tls } });

/** Whether a client offering only `opts` completes a handshake. */
function handshake(server: RunningServer, ca: string, opts: { ciphers?: string; maxVersion?: "TLSv1.2" | "TLSv1.3"; minVersion?: "TLSv1.2" | "TLSv1.3" }): Promise<boolean> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: Number(port), ca, servername: "127.0.0.1", ...opts }, () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("the serving TLS settings", () => {
  let dataDir = "";
  let server: RunningServer;
  let ca = "";
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "claw-tls-"));
    server = await runServer({ config: config(dataDir, { cipher_suites: ["TLS_AES_256_GCM_SHA384"], min_version: "1.3" }), logger: silentLogger(), announce: () => {}, controllers: false });
    ca = readFileSync(join(dataDir, "pki", "ca.crt"), "utf8");
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ["accepts a client offering a listed suite", { ciphers: "TLS_AES_256_GCM_SHA384" }, true],
    ["refuses a client offering only a suite the list excludes", { ciphers: "TLS_AES_128_GCM_SHA256" }, false],
    ["refuses TLS 1.2 when min_version is 1.3", { maxVersion: "TLSv1.2" as const, minVersion: "TLSv1.2" as const }, false],
  ])("%s", async (_name, opts, ok) => {
    expect(await handshake(server, ca, opts)).toBe(ok);
  });

  it("stops at an unknown suite name, listing the valid ones", async () => {
    expect(() => planServingTls(config(dataDir, { cipher_suites: ["TLS_RSA_WITH_RC4_128_MD5"] }))).toThrow(/cipher_suites must be a non-empty list of TLS 1.3 suite names, from TLS_AES_256_GCM_SHA384/);
  });
});
