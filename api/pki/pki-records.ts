// What the PKI keeps in the store besides Certificate objects, under /claw/pki/: each certificate's sealed
// private key (by uid, so a Certificate deleted and created again under its name starts afresh), every
// serial it was issued (so revoking it revokes the earlier, still-valid ones too), the revoked serials per
// CA (kept after their Certificate is deleted, until they expire) and each CA's current signed CRL.

import type { SealedBlob } from "../server/module.js";
import { internalKey } from "../store/keys.js";
import type { Store, TxnOp } from "../store/store.js";
import type { Certificate, CertificateRevocationReason, CertificateSpec } from "../types/certificate.js";

/** A Certificate as stored: the schema requires its spec. */
export type Cert = Certificate & { spec: CertificateSpec };

const AREA = "pki";

/** A certificate's private key, sealed under a key derived from the certificate's uid and serial. */
export interface KeyRecord {
  uid: string;
  serialNumber: string;
  revision: number;
  sealed: SealedBlob;
}

/** One issued certificate (a serial), until it expires. */
export interface IssuedRecord {
  serialNumber: string;
  /** The CA Certificate that signed it; the CRL it goes on when revoked. */
  issuer: string;
  notAfter: string;
}

/** A revoked serial on a CA's CRL. */
export interface RevokedRecord {
  serialNumber: string;
  revokedAt: string;
  reason: CertificateRevocationReason;
  /** After this the entry may leave the CRL (the certificate is no longer valid anyway). */
  notAfter: string;
  /** The Certificate it was issued for, for people reading `claw pki crl`. */
  certificate: string;
}

/** A CA's current CRL as every server serves and enforces it. */
export interface CrlRecord {
  ca: string;
  /** The CA certificate's serial that signed it: a renewed CA signs a new CRL. */
  caSerialNumber: string;
  number: number;
  thisUpdate: string;
  nextUpdate: string;
  pem: string;
  /** The revoked serials it lists, in order. */
  serials: string[];
}

export const keyRecordRoot = internalKey(AREA, "keys/");
export const keyRecordKey = (uid: string) => `${keyRecordRoot}${uid}`;
export const issuedPrefix = (uid: string) => internalKey(AREA, `issued/${uid}/`);
export const issuedKey = (uid: string, serial: string) => `${issuedPrefix(uid)}${serial}`;
export const revokedRoot = internalKey(AREA, "revoked/");
export const revokedPrefix = (ca: string) => `${revokedRoot}${ca}/`;
export const revokedKey = (ca: string, serial: string) => `${revokedPrefix(ca)}${serial}`;
export const crlRoot = internalKey(AREA, "crl/");
export const crlKey = (ca: string) => `${crlRoot}${ca}`;

/** The name a private key is sealed under: bound into the ciphertext, so a blob copied elsewhere fails to open. */
export const keySealName = (uid: string, serial: string) => `certificates/${uid}/${serial}`;

export const put = (key: string, value: unknown): TxnOp => ({ kind: "put", key, value: JSON.stringify(value) });

export async function readJson<T>(store: Store, key: string): Promise<{ value: T; modRevision: number } | undefined> {
  const kv = await store.get(key);
  return kv ? { value: JSON.parse(kv.value) as T, modRevision: kv.modRevision } : undefined;
}

export async function listJson<T>(store: Store, prefix: string): Promise<{ key: string; value: T; modRevision: number }[]> {
  const out: { key: string; value: T; modRevision: number }[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.list(prefix, { limit: 1000, ...(startAfter ? { startAfter } : {}) });
    for (const kv of page.items) out.push({ key: kv.key, value: JSON.parse(kv.value) as T, modRevision: kv.modRevision });
    if (!page.more || page.items.length === 0) return out;
    startAfter = page.items[page.items.length - 1]!.key;
  }
}
