// What the PKI's crypto core takes and gives: a certificate template, a signing authority, a CRL's
// entries and what is read back from a certificate. The core itself (private-key.ts, certificate-signer.ts,
// crl-signer.ts, certificate-facts.ts) is synchronous node:crypto, so issuing is fast enough to mint
// thousands of certificates a second; nothing here touches the store.

import type { CertificatePrivateKeyAlgorithm, CertificateRevocationReason, CertificateUsage } from "../types/certificate.js";

export interface KeySpec {
  algorithm: CertificatePrivateKeyAlgorithm;
  /** ECDSA 256/384/521 (default 256), RSA 2048/3072/4096 (default 2048); ignored for Ed25519. */
  size?: number;
}

export interface CertificateTemplate {
  /** Lowercase hexadecimal, positive (first byte < 0x80), at most 20 bytes. */
  serialNumber: string;
  subject: { commonName: string; organizations?: readonly string[] };
  isCA: boolean;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  /** Key usages and extended key usages as the CRD names them. */
  usages: readonly CertificateUsage[];
  notBefore: Date;
  notAfter: Date;
}

/** A CA that signs: its certificate and private key (PKCS#8 PEM). */
export interface SigningAuthority {
  certificatePem: string;
  privateKeyPem: string;
}

export interface CrlEntry {
  /** Lowercase hexadecimal. */
  serialNumber: string;
  revokedAt: Date;
  reason: CertificateRevocationReason;
}

export interface CrlTemplate {
  issuer: SigningAuthority;
  /** The CRL number extension: grows with every CRL the CA publishes. */
  number: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: readonly CrlEntry[];
}

export interface SignedCrl {
  pem: string;
  der: Buffer;
}

/** What a PEM certificate says, for the controllers' checks and `claw pki list`. */
export interface CertificateFacts {
  serialNumber: string;
  commonName: string;
  organizations: string[];
  /** The issuer's distinguished name, as text. */
  issuer: string;
  isCA: boolean;
  dnsNames: string[];
  ipAddresses: string[];
  usages: CertificateUsage[];
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hexadecimal key identifiers; absent when the certificate has none. */
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** SHA-256 of the SubjectPublicKeyInfo, lowercase hexadecimal: equal exactly when the key is the same. */
  publicKeySha256: string;
  keyAlgorithm: CertificatePrivateKeyAlgorithm;
  /** Bits for RSA and ECDSA (256/384/521); 256 for Ed25519. */
  keySize: number;
}
