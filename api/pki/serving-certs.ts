// Secure by default: the first start makes a CA and a serving certificate for the listen address,
// kept under DIR/pki (keys mode 0600). Later starts reuse them, renewing the serving certificate when
// it nears expiry or no longer names the address. The PKI issue (Certificate resources) builds on this CA.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { isIP } from "node:net";
import { subtle, x509 } from "./x509.js";

export interface ServingCerts {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** True when this call wrote new files. */
  created: { ca: boolean; cert: boolean };
}

export interface ServingCertOptions {
  dir: string;
  /** Names the certificate must carry, besides localhost, 127.0.0.1 and ::1. */
  hosts: string[];
  now: number;
  /** Serial numbers; injected so tests are deterministic. */
  randomBytes: (n: number) => Uint8Array;
}

const ALG: EcKeyGenParams & EcdsaParams = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY = 86_400_000;
const CA_DAYS = 3650;
const SERVING_DAYS = 365;
/** Renew the serving certificate when less than a third of its life is left. */
const RENEW_BEFORE = (SERVING_DAYS / 3) * DAY;

export async function ensureServingCerts(opts: ServingCertOptions): Promise<ServingCerts> {
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const paths = { caCrt: join(opts.dir, "ca.crt"), caKey: join(opts.dir, "ca.key"), crt: join(opts.dir, "server.crt"), key: join(opts.dir, "server.key") };
  let caCreated = false;
  if (!existsSync(paths.caCrt) || !existsSync(paths.caKey)) {
    const ca = await newCa(opts);
    write(paths.caKey, ca.keyPem, 0o600);
    write(paths.caCrt, ca.certPem, 0o644);
    caCreated = true;
  }
  const caPem = readFileSync(paths.caCrt, "utf8");
  const hosts = [...new Set(["localhost", "127.0.0.1", "::1", hostname(), ...opts.hosts.filter((h) => h && h !== "0.0.0.0" && h !== "::")])];
  let certCreated = false;
  if (caCreated || !existsSync(paths.crt) || !existsSync(paths.key) || !stillGood(readFileSync(paths.crt, "utf8"), hosts, opts.now)) {
    const leaf = await newServingCert({ ...opts, hosts, caPem, caKeyPem: readFileSync(paths.caKey, "utf8") });
    write(paths.key, leaf.keyPem, 0o600);
    write(paths.crt, leaf.certPem, 0o644);
    certCreated = true;
  }
  return { caPem, certPem: readFileSync(paths.crt, "utf8"), keyPem: readFileSync(paths.key, "utf8"), created: { ca: caCreated, cert: certCreated } };
}

function write(path: string, text: string, mode: number): void {
  writeFileSync(path, text, { mode });
}

async function newCa(opts: ServingCertOptions): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(opts.randomBytes),
    name: "CN=claw-ca,O=Clawbernetes",
    notBefore: new Date(opts.now - 60_000),
    notAfter: new Date(opts.now + CA_DAYS * DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await keyToPem(keys.privateKey) };
}

async function newServingCert(opts: ServingCertOptions & { caPem: string; caKeyPem: string }): Promise<{ certPem: string; keyPem: string }> {
  const ca = new x509.X509Certificate(opts.caPem);
  const caKey = await subtle.importKey("pkcs8", pemBody(opts.caKeyPem), ALG, false, ["sign"]);
  const keys = (await subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(opts.randomBytes),
    subject: "CN=claw-server,O=Clawbernetes",
    issuer: ca.subject,
    notBefore: new Date(opts.now - 60_000),
    notAfter: new Date(opts.now + SERVING_DAYS * DAY),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(opts.hosts.map((h) => (isIP(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await keyToPem(keys.privateKey) };
}

/** Still valid for a while and naming every host we serve. */
function stillGood(certPem: string, hosts: string[], now: number): boolean {
  try {
    const cert = new x509.X509Certificate(certPem);
    if (cert.notAfter.getTime() - now < RENEW_BEFORE) return false;
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    const names = new Set((san?.names.items ?? []).map((n) => n.value));
    return hosts.every((h) => names.has(h));
  } catch {
    return false;
  }
}

function serial(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // a positive serial
  return Buffer.from(bytes).toString("hex");
}

async function keyToPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey("pkcs8", key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END PRIVATE KEY-----\n`;
}

const pemBody = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
