// The CRLs signCrl makes, enforced by node:tls for client certificates, and swapped into a live server.
//
// Given `crl`, Node turns on OpenSSL's CRL_CHECK_ALL: every CA in the client's chain needs a CRL in the
// secure context, not only the one that issued the client. An intermediate-issued client therefore needs the
// intermediate's CRL and the root's, or the handshake fails with "unable to get certificate CRL".

import { once } from "node:events";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CrlEntry, KeySpec, SigningAuthority } from "./certificate-template.js";
import { signCrl } from "./crl-signer.js";
import { caTemplate, issue, leafTemplate } from "./testing/pki-fixtures.js";

const P256: KeySpec = { algorithm: "ECDSA" };
const HOUR = 3_600_000;

const root = issue(P256, caTemplate("claw root"));
const intermediate = issue(P256, caTemplate("claw intermediate"), root);
const server = issue(P256, leafTemplate({ subject: { commonName: "server" }, dnsNames: [], ipAddresses: ["127.0.0.1"], usages: ["digital signature", "server auth"] }), intermediate);
const clientTemplate = leafTemplate({ subject: { commonName: "gpu-node-1" }, dnsNames: [], ipAddresses: [], usages: ["digital signature", "client auth"] });
const client = issue(P256, clientTemplate, intermediate);
const otherClient = issue(P256, leafTemplate({ subject: { commonName: "gpu-node-2" }, dnsNames: [], ipAddresses: [], usages: ["digital signature", "client auth"] }), intermediate);

const crlOf = (ca: SigningAuthority, number: number, revoked: string[] = []) =>
  signCrl({ issuer: ca, number, thisUpdate: new Date(Date.now() - HOUR), nextUpdate: new Date(Date.now() + HOUR), entries: revoked.map((serialNumber): CrlEntry => ({ serialNumber, revokedAt: new Date(Date.now() - HOUR / 2), reason: "keyCompromise" })) }).pem;

/** The server's secure context: its chain, the root it trusts for clients, and the CRLs it checks them against. */
const context = (crl: string[]): tls.SecureContextOptions => ({ key: server.privateKeyPem, cert: server.certificatePem + intermediate.certificatePem, ca: [root.certificatePem], crl, minVersion: "TLSv1.3" });

/**
 * One handshake, and what the server said: undefined when it hung up without a word. In TLS 1.3 the server judges
 * the client's certificate after the client has finished, and node then closes without an alert.
 */
async function greeting(port: number, who: SigningAuthority): Promise<string | undefined> {
  const socket = tls.connect({ host: "127.0.0.1", port, ca: [root.certificatePem], key: who.privateKeyPem, cert: who.certificatePem + intermediate.certificatePem });
  try {
    return await new Promise<string | undefined>((resolve) => {
      socket.once("data", (data) => resolve(String(data)));
      socket.once("close", () => resolve(undefined));
      socket.once("error", () => resolve(undefined));
    });
  } finally {
    socket.destroy();
  }
}

async function listen(options: tls.TlsOptions, greet: (socket: tls.TLSSocket) => string): Promise<{ server: tls.Server; port: number }> {
  const server = tls.createServer(options, (socket) => socket.end(greet(socket)));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as AddressInfo).port };
}

describe("a node:tls server given signCrl's CRLs", () => {
  // The server under test refuses unauthorized clients; its twin lets them in to say why the first one would not.
  let strict: { server: tls.Server; port: number };
  let twin: { server: tls.Server; port: number };
  const swap = (crl: string[]) => [strict, twin].forEach(({ server }) => server.setSecureContext(context(crl)));
  const outcome = async (who: SigningAuthority) => ({ accepted: (await greeting(strict.port, who)) === "welcome", reason: await greeting(twin.port, who) });

  beforeAll(async () => {
    const initial = context([crlOf(intermediate, 1), crlOf(root, 1)]);
    strict = await listen({ ...initial, requestCert: true, rejectUnauthorized: true }, () => "welcome");
    twin = await listen({ ...initial, requestCert: true, rejectUnauthorized: false }, (socket) => (socket.authorized ? "authorized" : String(socket.authorizationError)));
  });
  afterAll(async () => {
    await Promise.all([strict, twin].map(async ({ server }) => {
      server.close();
      await once(server, "close");
    }));
  });

  it("accepts a client certificate that no CRL lists", async () => {
    expect(await outcome(client)).toEqual({ accepted: true, reason: "authorized" });
  });

  it("refuses every client while a CA of the chain has no CRL (CRL_CHECK_ALL): here the root's is missing", async () => {
    swap([crlOf(intermediate, 2)]);
    expect(await outcome(client)).toEqual({ accepted: false, reason: "UNABLE_TO_GET_CRL" });
  });

  it("refuses the client once a CRL swapped into the live server lists it, and still accepts another", async () => {
    swap([crlOf(intermediate, 3, [clientTemplate.serialNumber]), crlOf(root, 3)]);
    expect(await outcome(client)).toEqual({ accepted: false, reason: "CERT_REVOKED" });
    expect(await outcome(otherClient)).toEqual({ accepted: true, reason: "authorized" });
  });
});
