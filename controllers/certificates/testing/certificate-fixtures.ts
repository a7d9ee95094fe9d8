// Test fixtures: Certificates as the server leaves them, with real PEMs from the PKI core (a test may import
// api/pki; the controllers themselves get the reader passed in). Builders take modifiers.

import { randomBytes } from "node:crypto";
import { certificateFacts } from "../../../api/pki/certificate-facts.js";
import { signCertificate } from "../../../api/pki/certificate-signer.js";
import type { CertificateTemplate } from "../../../api/pki/certificate-template.js";
import { generatePrivateKey } from "../../../api/pki/private-key.js";
import { toRfc3339 } from "../../../api/machinery/clock.js";
import { setCondition } from "../../../api/machinery/conditions.js";
import type { Condition } from "../../../api/machinery/meta.js";
import type { Certificate, CertificateSpec, CertificateStatus } from "../../../api/types/certificate.js";
import { BACKDATE_MS, durationOf, effectiveUsages, keyAlgorithmOf, keySizeOf, renewalTimeOf } from "../../../api/types/certificate-defaults.js";
import { CONDITION_ISSUING, CONDITION_READY, ISSUING_DONE } from "../../../api/types/pki-api.js";
import type { CertificateInput } from "../certificate-input.js";
import { readIssued } from "../issued-certificate.js";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** The time the fixtures are issued at, unless a test says otherwise. */
export const ISSUED_AT = Date.parse("2026-03-01T12:00:00Z");

export type Modifier = (c: Certificate) => void;

export const ROOT_SPEC: CertificateSpec = { isCA: true, commonName: "Test Root CA" };
export const LEAF_SPEC: CertificateSpec = {
  issuerRef: { name: "ca" },
  commonName: "gateway.example.com",
  dnsNames: ["gateway.example.com"],
  ipAddresses: ["10.0.0.1", "2001:db8::1"],
  duration: "90d",
  renewBefore: "30d",
};

export function certificate(name: string, spec: CertificateSpec, ...mods: Modifier[]): Certificate {
  const c: Certificate = { apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name, generation: 1, uid: `uid-${name}` }, spec: structuredClone(spec) };
  return modify(c, ...mods);
}

export function modify(c: Certificate, ...mods: Modifier[]): Certificate {
  const copy = structuredClone(c);
  for (const mod of mods) mod(copy);
  return copy;
}

export const withSpec = (spec: Partial<CertificateSpec>): Modifier => (c) => void (c.spec = { ...c.spec!, ...spec });
export const withoutSpec = (...fields: (keyof CertificateSpec)[]): Modifier => (c) => { for (const f of fields) delete c.spec![f]; };
export const withStatus = (status: Partial<CertificateStatus>): Modifier => (c) => void (c.status = { ...c.status, ...status });
export const generation = (n: number): Modifier => (c) => void (c.metadata.generation = n);
export const deleting: Modifier = (c) => void (c.metadata.deletionTimestamp = toRfc3339(ISSUED_AT));
export const revoked: Modifier = (c) => void (c.spec = { ...c.spec!, revoked: true, revocationReason: "keyCompromise" });
export const condition = (type: string, status: Condition["status"], reason: string, message = "", at = ISSUED_AT): Modifier => (c) =>
  void (c.status = { ...c.status, conditions: setCondition(c.status?.conditions, { type, status, reason, message }, toRfc3339(at)) });
export const issuing = (reason = "DoesNotExist", message = "") => condition(CONDITION_ISSUING, "True", reason, message);
export const ready = condition(CONDITION_READY, "True", "Ready", "the certificate is valid");

/** A Certificate and the private key its status.certificate holds. */
export interface Signed {
  certificate: Certificate;
  keyPem: string;
}

export interface IssueOptions {
  /** When the server issued it; default ISSUED_AT. */
  at?: number;
  /** The CA that signs it; omit for a self-signed root. */
  issuer?: Signed;
  /** Keep this key (rotationPolicy Never); a new one by default. */
  keyPem?: string;
  /** What the certificate says instead of what the spec asks: a certificate issued for an older spec. */
  template?: Partial<CertificateTemplate>;
}

/** Issues `cert` as the server's issue path does: backdated a minute, cut short at its issuer's expiry, renewal time from the spec. */
export function issue(cert: Certificate, opts: IssueOptions = {}): Signed {
  const spec = cert.spec!;
  const at = opts.at ?? ISSUED_AT;
  const keyPem = opts.keyPem ?? generatePrivateKey({ algorithm: keyAlgorithmOf(spec), size: keySizeOf(spec) });
  const issuerStatus = opts.issuer?.certificate.status;
  const issuerNotAfter = issuerStatus?.notAfter ? Date.parse(issuerStatus.notAfter) : Number.POSITIVE_INFINITY;
  const notBeforeMs = at - BACKDATE_MS;
  const notAfterMs = Math.min(at + durationOf(spec), issuerNotAfter);
  const serialNumber = newSerial();
  const template: CertificateTemplate = {
    serialNumber,
    subject: { commonName: spec.commonName, ...(spec.subject?.organizations ? { organizations: spec.subject.organizations } : {}) },
    isCA: spec.isCA === true,
    dnsNames: spec.dnsNames ?? [],
    ipAddresses: spec.ipAddresses ?? [],
    usages: effectiveUsages(spec),
    notBefore: new Date(notBeforeMs),
    notAfter: new Date(notAfterMs),
    ...opts.template,
  };
  const authority = opts.issuer ? { certificatePem: opts.issuer.certificate.status!.certificate!, privateKeyPem: opts.issuer.keyPem } : undefined;
  const pem = signCertificate(template, keyPem, authority);
  const revision = (cert.status?.revision ?? 0) + 1;
  const facts = certificateFacts(pem);
  const status: CertificateStatus = {
    ...cert.status,
    certificate: pem,
    chain: authority ? `${authority.certificatePem}${issuerStatus?.chain ?? ""}` : "",
    serialNumber,
    ...(issuerStatus?.serialNumber ? { issuerSerialNumber: issuerStatus.serialNumber } : {}),
    notBefore: toRfc3339(facts.notBefore.getTime()),
    notAfter: toRfc3339(facts.notAfter.getTime()),
    renewalTime: toRfc3339(Math.max(at, renewalTimeOf(spec, notBeforeMs, notAfterMs))),
    revision,
    conditions: setCondition(cert.status?.conditions, { type: CONDITION_ISSUING, status: "False", reason: ISSUING_DONE, message: `Issued revision ${revision}` }, toRfc3339(at)),
  };
  delete status.failedIssuanceAttempts;
  delete status.lastFailureTime;
  return { certificate: { ...cert, status }, keyPem };
}

/** A self-signed root CA named "ca", issued and Ready. */
export function readyRoot(opts: { at?: number; spec?: CertificateSpec } = {}): Signed {
  const signed = issue(certificate("ca", opts.spec ?? ROOT_SPEC), { ...(opts.at !== undefined ? { at: opts.at } : {}) });
  return { ...signed, certificate: modify(signed.certificate, ready) };
}

/** The decision input, reading status.certificate with the PKI's real reader. */
export const inputOf = (cert: Certificate | undefined, issuer?: Certificate): CertificateInput => ({ certificate: cert, issuer, issued: readIssued(cert?.status?.certificate, certificateFacts) });

function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString("hex");
}
