// Reading certificates and CRLs back: node's X509Certificate for what it parses (key, CA flag), asn1-x509 for
// what it does not expose (usages, key identifiers, organizations, the subject as encoded, CRL entries).

import { createHash, X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CertificateList,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  type Extension,
  type Name,
} from "@peculiar/asn1-x509";
import type { CertificateUsage } from "../types/certificate.js";
import type { CertificateFacts } from "./certificate-template.js";
import { keySpecOfKey } from "./private-key.js";

/** The key usage bit of each CRD usage name that is one (RFC 5280 4.2.1.3). */
export const KEY_USAGE_FLAGS: ReadonlyMap<CertificateUsage, KeyUsageFlags> = new Map([
  ["digital signature", KeyUsageFlags.digitalSignature],
  ["content commitment", KeyUsageFlags.nonRepudiation],
  ["key encipherment", KeyUsageFlags.keyEncipherment],
  ["data encipherment", KeyUsageFlags.dataEncipherment],
  ["key agreement", KeyUsageFlags.keyAgreement],
  ["cert sign", KeyUsageFlags.keyCertSign],
  ["crl sign", KeyUsageFlags.cRLSign],
  ["encipher only", KeyUsageFlags.encipherOnly],
  ["decipher only", KeyUsageFlags.decipherOnly],
]);

/** The extended key usage OID of each CRD usage name that is one (RFC 5280 4.2.1.12). */
export const EXTENDED_KEY_USAGE_OIDS: ReadonlyMap<CertificateUsage, string> = new Map([
  ["server auth", "1.3.6.1.5.5.7.3.1"],
  ["client auth", "1.3.6.1.5.5.7.3.2"],
  ["code signing", "1.3.6.1.5.5.7.3.3"],
  ["email protection", "1.3.6.1.5.5.7.3.4"],
  ["timestamping", "1.3.6.1.5.5.7.3.8"],
  ["ocsp signing", "1.3.6.1.5.5.7.3.9"],
]);

export const OID_COMMON_NAME = "2.5.4.3";
export const OID_ORGANIZATION = "2.5.4.10";
/** Short names for RFC 4514 text; other attribute types print as their OID. */
const ATTRIBUTE_NAMES: ReadonlyMap<string, string> = new Map([
  [OID_COMMON_NAME, "CN"],
  [OID_ORGANIZATION, "O"],
  ["2.5.4.11", "OU"],
  ["2.5.4.6", "C"],
  ["2.5.4.8", "ST"],
  ["2.5.4.7", "L"],
  ["2.5.4.9", "STREET"],
  ["2.5.4.5", "SERIALNUMBER"],
  ["0.9.2342.19200300.100.1.25", "DC"],
  ["0.9.2342.19200300.100.1.1", "UID"],
]);

export function certificateFacts(pem: string): CertificateFacts {
  return factsOfCertificate(new X509Certificate(pem));
}

export function factsOfCertificate(x: X509Certificate): CertificateFacts {
  const tbs = AsnConvert.parse(x.raw, Certificate).tbsCertificate;
  const extension = <T>(id: string, type: new () => T): T | undefined => {
    const found = tbs.extensions?.find((e: Extension) => e.extnID === id);
    return found ? AsnConvert.parse(found.extnValue.buffer, type) : undefined;
  };
  const keyUsage = extension(id_ce_keyUsage, KeyUsage)?.toNumber() ?? 0;
  const extendedKeyUsages = extension(id_ce_extKeyUsage, ExtendedKeyUsage) ?? [];
  const names = extension(id_ce_subjectAltName, SubjectAlternativeName) ?? [];
  const subjectKeyId = extension(id_ce_subjectKeyIdentifier, SubjectKeyIdentifier);
  const authorityKeyId = extension(id_ce_authorityKeyIdentifier, AuthorityKeyIdentifier)?.keyIdentifier;
  const key = keySpecOfKey(x.publicKey);
  return {
    serialNumber: hex(tbs.serialNumber),
    commonName: attributes(tbs.subject, OID_COMMON_NAME)[0] ?? "",
    organizations: attributes(tbs.subject, OID_ORGANIZATION),
    issuer: nameText(tbs.issuer),
    isCA: extension(id_ce_basicConstraints, BasicConstraints)?.cA ?? false,
    dnsNames: names.flatMap((n) => (n.dNSName === undefined ? [] : [n.dNSName])),
    ipAddresses: names.flatMap((n) => (n.iPAddress === undefined ? [] : [n.iPAddress])),
    usages: [
      ...[...KEY_USAGE_FLAGS].filter(([, flag]) => keyUsage & flag).map(([usage]) => usage),
      ...[...EXTENDED_KEY_USAGE_OIDS].filter(([, oid]) => extendedKeyUsages.includes(oid)).map(([usage]) => usage),
    ],
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    ...(subjectKeyId ? { subjectKeyId: hex(subjectKeyId.buffer) } : {}),
    ...(authorityKeyId ? { authorityKeyId: hex(authorityKeyId.buffer) } : {}),
    publicKeySha256: createHash("sha256").update(x.publicKey.export({ type: "spki", format: "der" })).digest("hex"),
    keyAlgorithm: key.algorithm,
    keySize: key.size ?? 256,
  };
}

/** The revoked serials of a CRL (PEM or DER), lowercase hexadecimal, in the CRL's order. */
export function crlSerials(pemOrDer: string | Uint8Array): string[] {
  const der = typeof pemOrDer === "string" ? pemBody(pemOrDer, "X509 CRL") : pemOrDer;
  // asn1js refuses more than 10,000 nodes by default, about 2,000 entries: every node takes at least two bytes.
  const limits = { maxNodes: der.length, maxContentLength: der.length };
  const crl = AsnConvert.parse(der, CertificateList, { berOptions: limits });
  return (crl.tbsCertList.revokedCertificates ?? []).map((entry) => hex(entry.userCertificate));
}

/** Each certificate of a PEM bundle, in order, as its own PEM. */
export function splitPemCertificates(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => `${m[0]}\n`);
}

/**
 * The subject Name of a DER certificate exactly as encoded: an issued certificate's issuer must repeat it byte for
 * byte, or OpenSSL does not chain them. asn1-x509 only gives the decoded Name, so this walks the DER itself.
 */
export function subjectDerOf(certificateDer: Uint8Array): Uint8Array {
  const der = certificateDer;
  const tbs = derElement(der, derElement(der, 0).start);
  let at = tbs.start;
  if (der[at] === 0xa0) at = derElement(der, at).end; // the explicit [0] version
  for (let field = 0; field < 4; field++) at = derElement(der, at).end; // serial, signature, issuer, validity
  return der.subarray(at, derElement(der, at).end);
}

/** Where the contents of the DER element at `offset` start and where the element ends (single-byte tags). */
function derElement(der: Uint8Array, offset: number): { start: number; end: number } {
  let at = offset + 1;
  const first = der[at++] ?? 0;
  let length = first;
  if (first & 0x80) {
    length = 0;
    for (let n = first & 0x7f; n > 0; n--) length = length * 256 + (der[at++] ?? 0);
  }
  if (at + length > der.length) throw new Error("the certificate's DER is truncated");
  return { start: at, end: at + length };
}

function attributes(name: Name, type: string): string[] {
  return name.flatMap((rdn) => rdn.filter((a) => a.type === type).map((a) => a.value.toString()));
}

/** RFC 4514 text (the last RDN first, as Go and cert-manager print it). */
function nameText(name: Name): string {
  return [...name]
    .reverse()
    .map((rdn) => rdn.map((a) => `${ATTRIBUTE_NAMES.get(a.type) ?? a.type}=${escapeValue(a.value.toString())}`).join("+"))
    .join(",");
}

function escapeValue(value: string): string {
  return value.replace(/[,+"\\<>;]/g, "\\$&").replace(/^[ #]/, "\\$&").replace(/ $/, "\\ ");
}

export function pemBody(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new Error(`no "${label}" PEM block found`);
  return Buffer.from(match[1].replace(/\s+/g, ""), "base64");
}

const hex = (bytes: ArrayBuffer | Uint8Array): string => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("hex");
