import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isConnectionError } from "./connection-error.js";
import { RestClient, type TlsOptions } from "./rest-client.js";

// A throwaway CA and server certificate for 127.0.0.1, made by openssl when the machine has it.
const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)("RestClient over TLS", () => {
  let dir = "";
  let server: Server;
  let url = "";
  let ca: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "claw-tls-"));
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test-ca");
    ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1");
    writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
    ssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.crt", "-days", "1", "-extfile", "san.ext");
    ca = readFileSync(join(dir, "ca.crt"));
    server = createServer({ key: readFileSync(join(dir, "srv.key")), cert: readFileSync(join(dir, "srv.crt")) }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ major: "1", minor: "0", gitVersion: "v1.0.0" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const versionWith = async (tls: TlsOptions | undefined) => {
    const client = new RestClient({ server: url, ...(tls ? { tls } : {}) });
    try {
      return await client.version();
    } finally {
      await client.close();
    }
  };

  it("trusts a server signed by the given CA", async () => {
    expect((await versionWith({ ca })).gitVersion).toBe("v1.0.0");
  });

  it("reports an unknown CA as a TLS connection failure", async () => {
    const err = await versionWith(undefined).catch((e: unknown) => e);
    expect(isConnectionError(err) && err.failure).toBe("tls");
  });

  it("skips verification when told to", async () => {
    expect((await versionWith({ insecureSkipVerify: true })).gitVersion).toBe("v1.0.0");
  });
});
