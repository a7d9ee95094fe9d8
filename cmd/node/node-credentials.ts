// The node's identity on disk, where clawnode.toml [tls] says: a key pair made here (ECDSA P-256), a CSR
// for it naming the node, and the certificate the gateway signed. The private key is written 0600 and never
// sent anywhere; a key file others can read is refused, as ssh refuses one.

import "reflect-metadata";
import { webcrypto, X509Certificate } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as x509 from "@peculiar/x509";
import type { NodeCredentials } from "../../api/types/nodes-api.js";
import { NODE_ORGANIZATION } from "../../api/types/pki-api.js";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface TlsPaths {
  cert: string;
  key: string;
  ca: string;
}

export interface HeldCredentials {
  certPem: string;
  keyPem: string;
  caPem: string;
  notBeforeMs: number;
  notAfterMs: number;
  serialNumber: string;
}

export interface KeyAndCsr {
  keyPem: string;
  csrPem: string;
}

/** A new key pair and a CSR for `node` (CN=node, O=system:nodes), signed by that key. */
export async function newKeyAndCsr(node: string): Promise<KeyAndCsr> {
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${node}, O=${NODE_ORGANIZATION}`, keys, signingAlgorithm: algorithm });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { keyPem: pem("PRIVATE KEY", pkcs8), csrPem: csr.toString("pem") };
}

/** Writes what the gateway signed beside the key made for it; each file replaced whole (write, then rename). */
export function writeCredentials(paths: TlsPaths, keyPem: string, credentials: Pick<NodeCredentials, "certificate" | "chain" | "ca">): void {
  writeAtomically(paths.key, keyPem, 0o600);
  writeAtomically(paths.cert, `${credentials.certificate}${credentials.chain}`, 0o644);
  writeAtomically(paths.ca, credentials.ca, 0o644);
}

export function readCredentials(paths: TlsPaths): HeldCredentials {
  const mode = statOrExplain(paths.key, "key").mode & 0o077;
  if (mode !== 0) throw new Error(`${paths.key}: the private key is readable by others (mode ${(statSync(paths.key).mode & 0o777).toString(8)}); run chmod 600 ${paths.key}`);
  statOrExplain(paths.cert, "cert");
  statOrExplain(paths.ca, "ca");
  const certPem = readFileSync(paths.cert, "utf8");
  const cert = new X509Certificate(certPem);
  return {
    certPem,
    keyPem: readFileSync(paths.key, "utf8"),
    caPem: readFileSync(paths.ca, "utf8"),
    notBeforeMs: Date.parse(cert.validFrom),
    notAfterMs: Date.parse(cert.validTo),
    serialNumber: cert.serialNumber.toLowerCase(),
  };
}

/** The node name a certificate stands for: its common name. */
export function nodeNameOf(certPem: string): string | undefined {
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(certPem).subject)?.[1];
  return cn?.trim();
}

/** When to renew, as kubelet does: at two thirds of the certificate's life (a little sooner when the server says so). */
export const renewalAt = (held: Pick<HeldCredentials, "notBeforeMs" | "notAfterMs">): number => held.notBeforeMs + ((held.notAfterMs - held.notBeforeMs) * 2) / 3;

function statOrExplain(path: string, key: string) {
  try {
    return statSync(path);
  } catch {
    throw new Error(`${path} ([tls] ${key}) does not exist: join the node first (claw node join --token …) or issue it a certificate (claw pki issue node --name NAME)`);
  }
}

function writeAtomically(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}

const pem = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;
