// Fixtures for the PKI core's tests: templates with overrides, issued key pairs and chains, and openssl run on
// temporary files. Validity is around the real clock: openssl and TLS check certificates against it.

import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CertificateTemplate, KeySpec, SigningAuthority } from "../certificate-template.js";
import { signCertificate } from "../certificate-signer.js";
import { generatePrivateKey } from "../private-key.js";

const HOUR = 3_600_000;

/** A positive random serial of 16 bytes. */
export function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString("hex");
}

export function leafTemplate(overrides: Partial<CertificateTemplate> = {}): CertificateTemplate {
  return {
    serialNumber: newSerial(),
    subject: { commonName: "leaf.example.com" },
    isCA: false,
    dnsNames: ["leaf.example.com"],
    ipAddresses: ["127.0.0.1"],
    usages: ["digital signature", "key encipherment", "server auth", "client auth"],
    notBefore: new Date(Date.now() - HOUR),
    notAfter: new Date(Date.now() + 24 * HOUR),
    ...overrides,
  };
}

export function caTemplate(commonName: string, overrides: Partial<CertificateTemplate> = {}): CertificateTemplate {
  return leafTemplate({ subject: { commonName, organizations: ["Clawbernetes"] }, isCA: true, dnsNames: [], ipAddresses: [], usages: [], ...overrides });
}

/** A fresh key of `spec` and its certificate; self-signed without an issuer. */
export function issue(spec: KeySpec, template: CertificateTemplate, issuer?: SigningAuthority): SigningAuthority {
  const privateKeyPem = generatePrivateKey(spec);
  return { certificatePem: signCertificate(template, privateKeyPem, issuer), privateKeyPem };
}

export interface Chain {
  root: SigningAuthority;
  intermediate: SigningAuthority;
  leaf: SigningAuthority;
}

export function issueChain(spec: KeySpec, leaf: Partial<CertificateTemplate> = {}): Chain {
  const root = issue(spec, caTemplate("claw root"));
  const intermediate = issue(spec, caTemplate("claw intermediate"), root);
  return { root, intermediate, leaf: issue(spec, leafTemplate(leaf), intermediate) };
}

export interface OpensslResult {
  status: number | null;
  /** stdout then stderr. */
  output: string;
  /** Every file in the directory afterwards, by name: what openssl wrote too. */
  files: Record<string, string>;
}

/** Runs openssl with `files` written to a temporary directory; `$name` in an argument is that file's path. */
export function openssl(args: readonly string[], files: Record<string, string> = {}): OpensslResult {
  const dir = mkdtempSync(join(tmpdir(), "claw-pki-openssl-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const resolved = args.map((a) => a.replace(/^\$(.+)$/, (_m, name: string) => join(dir, name)));
    const run = spawnSync("/usr/bin/openssl", resolved, { encoding: "utf8" });
    const written = Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), "utf8")]));
    return { status: run.status, output: `${run.stdout}${run.stderr}`, files: written };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
