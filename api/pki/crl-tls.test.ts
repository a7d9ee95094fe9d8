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

type Outcome = { accepted: true } | { accepted: false; code: string };

/** One handshake; in TLS 1.3 the server judges the client's certificate after the client is done, so wait for its word. */
async function connect(port: number, who: SigningAuthority): Promise<Outcome> {
  const socket = tls.connect({ host: "127.0.0.1", port, ca: [root.certificatePem], key: who.privateKeyPem, cert: who.certificatePem + intermediate.certificatePem });
  try {
    const [outcome] = await Promise.race([once(socket, "data").then((): [Outcome] => [{ accepted: true }]), once(socket, "error").then(([err]: Array<NodeJS.ErrnoException>): [Outcome] => [{ accepted: false, code: err?.code ?? String(err) }])]);
    return outcome;
  } finally {
    socket.destroy();
  }
}

describe("a node:tls server given signCrl's CRLs", () => {
  let listener: tls.Server;
  let port: number;
  beforeAll(async () => {
    listener = tls.createServer({ ...context([crlOf(intermediate, 1), crlOf(root, 1)]), requestCert: true, rejectUnauthorized: true }, (socket) => socket.end("welcome"));
    listener.on("tlsClientError", () => undefined); // refused handshakes are the point here
    listener.listen(0, "127.0.0.1");
    await once(listener, "listening");
    port = (listener.address() as AddressInfo).port;
  });
  afterAll(async () => {
    listener.close();
    await once(listener, "close");
  });

  it("accepts a client certificate that no CRL lists", async () => {
    expect(await connect(port, client)).toEqual({ accepted: true });
  });

  it("refuses every client while a CA of the chain has no CRL (CRL_CHECK_ALL): the root's is missing", async () => {
    listener.setSecureContext(context([crlOf(intermediate, 2)]));
    expect(await connect(port, client)).toEqual({ accepted: false, code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" });
  });

  it("refuses the client once a CRL swapped into the live server lists it, and still accepts another", async () => {
    listener.setSecureContext(context([crlOf(intermediate, 3, [clientTemplate.serialNumber]), crlOf(root, 3)]));
    expect(await connect(port, client)).toEqual({ accepted: false, code: "ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED" });
    expect(await connect(port, otherClient)).toEqual({ accepted: true });
  });
});
