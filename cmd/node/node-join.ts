// `claw node join --token T`: the agent makes its key pair here, sends only a CSR with the bootstrap token,
// and writes the certificate it gets back beside the key. The gateway is trusted through a CA file, or — as
// kubeadm's --discovery-token-ca-cert-hash — through the SHA-256 of the CA certificate's DER, checked against
// the chain the gateway presents before the token is sent.

import { X509Certificate } from "node:crypto";
import { connect, type PeerCertificate } from "node:tls";
import type { NodeCredentials } from "../../api/types/nodes-api.js";
import { GatewayClient } from "./gateway-client.js";
import { newKeyAndCsr, writeCredentials, type TlsPaths } from "./node-credentials.js";

export type GatewayTrust = { caPem: string } | { caCertHash: string };

export interface JoinOptions {
  gateway: string;
  token: string;
  name: string;
  tls: TlsPaths;
  trust: GatewayTrust;
  version: string;
}

export const CA_CERT_HASH = /^sha256:([0-9a-f]{64})$/;

export async function joinNode(opts: JoinOptions): Promise<NodeCredentials> {
  const caPem = "caPem" in opts.trust ? opts.trust.caPem : await discoverCa(opts.gateway, opts.trust.caCertHash);
  const { keyPem, csrPem } = await newKeyAndCsr(opts.name);
  const client = new GatewayClient(opts.gateway, { ca: caPem }, `claw-node/${opts.version}`);
  try {
    const credentials = await client.join(opts.token, { node: opts.name, csr: csrPem });
    writeCredentials(opts.tls, keyPem, credentials);
    return credentials;
  } finally {
    await client.close();
  }
}

/** The sha256:… of a CA certificate, as `claw node token create` prints it. */
export const caCertHashOf = (caPem: string): string => `sha256:${new X509Certificate(caPem).fingerprint256.replace(/:/g, "").toLowerCase()}`;

/** The certificate of the gateway's chain whose DER hashes to `hash`, or an error saying none does. */
async function discoverCa(gateway: string, hash: string): Promise<string> {
  const wanted = CA_CERT_HASH.exec(hash)?.[1];
  if (!wanted) throw new Error(`--ca-cert-hash must be sha256: and 64 hex digits, as \`claw node token create\` prints it, not ${JSON.stringify(hash)}`);
  const url = new URL(gateway);
  const chain = await new Promise<PeerCertificate[]>((resolve, reject) => {
    // Unverified on purpose: nothing is sent on this connection, and what it shows is checked against the hash.
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || 443), servername: /^[\d.:[\]]+$/.test(url.hostname) ? "" : url.hostname, rejectUnauthorized: false }, () => {
      const certs: PeerCertificate[] = [];
      let cert = socket.getPeerCertificate(true) as PeerCertificate & { issuerCertificate?: PeerCertificate };
      while (cert && cert.raw && !certs.some((c) => c.fingerprint256 === cert.fingerprint256)) {
        certs.push(cert);
        cert = (cert as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate as PeerCertificate & { issuerCertificate?: PeerCertificate };
      }
      socket.end();
      resolve(certs);
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`${gateway} did not complete a TLS handshake within 10 s`)));
    socket.once("error", reject);
  });
  const match = chain.find((c) => c.fingerprint256.replace(/:/g, "").toLowerCase() === wanted);
  if (!match) throw new Error(`no certificate the gateway ${gateway} presents has the hash ${hash}: check the hash, or that this is the right gateway (someone may be in the middle)`);
  return `-----BEGIN CERTIFICATE-----\n${match.raw.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
}
