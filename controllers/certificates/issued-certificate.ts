// What the certificates controllers read from an issued certificate: a structural subset of the PKI core's
// CertificateFacts (api/pki/certificate-template.ts). cmd/ passes the reader in (api/pki's certificateFacts),
// because controllers import only the contract and the PKI core belongs to the pki module.

import type { CertificatePrivateKeyAlgorithm, CertificateStatus, CertificateUsage } from "../../api/types/certificate.js";

export interface IssuedCertificate {
  serialNumber: string;
  commonName: string;
  organizations: readonly string[];
  isCA: boolean;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  usages: readonly CertificateUsage[];
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: CertificatePrivateKeyAlgorithm;
  /** Bits for RSA and ECDSA (256/384/521); 256 for Ed25519. */
  keySize: number;
}

/** Reads a PEM certificate; throws when it cannot. */
export type ReadCertificate = (pem: string) => IssuedCertificate;

/** status.certificate as the controllers see it: what it says, or why it cannot be read. */
export type IssuedView = { facts: IssuedCertificate } | { unreadable: string };

/** Reads status.certificate; undefined when there is none. */
export function readIssued(pem: string | undefined, read: ReadCertificate): IssuedView | undefined {
  if (!pem) return undefined;
  try {
    return { facts: read(pem) };
  } catch (err) {
    return { unreadable: err instanceof Error ? err.message : String(err) };
  }
}

/** When the issued certificate is valid, from the certificate itself, else from status; undefined when unknown. */
export function validityOf(status: CertificateStatus | undefined, issued: IssuedView | undefined): { notBeforeMs: number; notAfterMs: number } | undefined {
  if (issued && "facts" in issued) return { notBeforeMs: issued.facts.notBefore.getTime(), notAfterMs: issued.facts.notAfter.getTime() };
  const notBeforeMs = Date.parse(status?.notBefore ?? "");
  const notAfterMs = Date.parse(status?.notAfter ?? "");
  return Number.isNaN(notBeforeMs) || Number.isNaN(notAfterMs) ? undefined : { notBeforeMs, notAfterMs };
}
