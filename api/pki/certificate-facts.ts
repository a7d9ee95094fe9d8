// Reading certificates and CRLs back: node's X509Certificate for the public key, asn1-x509 for what node does not
// expose (usages, key identifiers, organizations). What the signers read of a CA on every issue (issuerFacts), and
// CRLs of any length (crlSerials), walk the DER instead (der.ts): asn1-schema parses a certificate in ~1 ms here.

import { createHash, X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
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
  id_kp_clientAuth,
  id_kp_codeSigning,
  id_kp_emailProtection,
  id_kp_OCSPSigning,
  id_kp_serverAuth,
  id_kp_timeStamping,
  Name,
  type Extension,
} from "@peculiar/asn1-x509";
import type { CertificateUsage } from "../types/certificate.js";
import type { CertificateFacts } from "./certificate-template.js";
import { context, derChildren, derOid, pemBody, readDer, TAG } from "./der.js";
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
  ["server auth", id_kp_serverAuth],
  ["client auth", id_kp_clientAuth],
  ["code signing", id_kp_codeSigning],
  ["email protection", id_kp_emailProtection],
  ["timestamping", id_kp_timeStamping],
  ["ocsp signing", id_kp_OCSPSigning],
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
  const x = new X509Certificate(pem);
  const tbs = AsnConvert.parse(x.raw, Certificate).tbsCertificate;
  const extension = <T>(id: string, type: new () => T): T | undefined => {
    const found = tbs.extensions?.find((e: Extension) => e.extnID === id);
    return found ? AsnConvert.parse(found.extnValue.buffer, type) : undefined;
  };
  const keyUsage = extension(id_ce_keyUsage, KeyUsage)?.toNumber() ?? 0;
  const extendedKeyUsages = [...(extension(id_ce_extKeyUsage, ExtendedKeyUsage) ?? [])];
  const names = [...(extension(id_ce_subjectAltName, SubjectAlternativeName) ?? [])];
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

/**
 * The revoked serials of a CRL (PEM or DER), lowercase hexadecimal, in the CRL's order. It walks the DER rather
 * than asn1-x509's CertificateList: asn1js refuses more than 10,000 nodes by default (about 2,000 entries), and
 * asn1-schema took about a second for 10,000 entries where the walk takes milliseconds.
 */
export function crlSerials(pemOrDer: string | Uint8Array): string[] {
  const der = typeof pemOrDer === "string" ? pemBody(pemOrDer, "X509 CRL") : Buffer.from(pemOrDer.buffer, pemOrDer.byteOffset, pemOrDer.byteLength);
  const fields = derChildren(derChildren(readDer(der))[0]!);
  let at = fields[0]?.tag === TAG.INTEGER ? 4 : 3; // past version, signature, issuer and thisUpdate
  if (fields[at]?.tag === TAG.UTC_TIME || fields[at]?.tag === TAG.GENERALIZED_TIME) at++; // nextUpdate
  const list = fields[at]?.tag === TAG.SEQUENCE ? fields[at]! : undefined;
  return list ? derChildren(list).map((entry) => derChildren(entry)[0]!.contents.toString("hex")) : [];
}

/** Each certificate of a PEM bundle, in order, as its own PEM. */
export function splitPemCertificates(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => `${m[0]}\n`);
}

/** What the signers need of a CA certificate, read from its DER without OpenSSL or asn1-schema (both cost ~0.2-1 ms). */
export interface IssuerFacts {
  /** The subject Name exactly as encoded: an issued certificate's issuer must repeat it byte for byte for OpenSSL. */
  subjectDer: Buffer;
  /** The whole SubjectPublicKeyInfo, to compare with the CA's private key. */
  spkiDer: Buffer;
  isCA: boolean;
  /** The key usage bits (KeyUsageFlags), or undefined when the certificate has no key usage extension. */
  keyUsage?: number;
  subjectKeyId?: Buffer;
}

export function issuerFacts(certificateDer: Buffer): IssuerFacts {
  const fields = derChildren(derChildren(readDer(certificateDer))[0]!);
  const at = fields[0]?.tag === context(0, true) ? 1 : 0;
  const [subject, spki] = [fields[at + 4], fields[at + 5]];
  if (!subject || !spki) throw new Error("the issuer certificate is not an X.509 certificate");
  const extensions = new Map<string, Buffer>();
  const wrapper = fields.find((f) => f.tag === context(3, true));
  for (const extension of wrapper ? derChildren(derChildren(wrapper)[0]!) : []) {
    const parts = derChildren(extension);
    extensions.set(parts[0]!.contents.toString("hex"), parts[parts.length - 1]!.contents);
  }
  const basicConstraints = extensions.get(OID_HEX.basicConstraints);
  const first = basicConstraints ? derChildren(readDer(basicConstraints))[0] : undefined;
  const keyUsage = extensions.get(OID_HEX.keyUsage);
  const subjectKeyId = extensions.get(OID_HEX.subjectKeyIdentifier);
  return {
    subjectDer: subject.encoded,
    spkiDer: spki.encoded,
    isCA: first?.tag === TAG.BOOLEAN && first.contents[0] !== 0,
    ...(keyUsage ? { keyUsage: keyUsageBits(readDer(keyUsage).contents) } : {}),
    ...(subjectKeyId ? { subjectKeyId: readDer(subjectKeyId).contents } : {}),
  };
}

/** A named BIT STRING's contents (unused-bits byte, then bits from the most significant) as KeyUsageFlags. */
function keyUsageBits(contents: Buffer): number {
  let flags = 0;
  for (let bit = 0; bit < (contents.length - 1) * 8; bit++) if ((contents[1 + (bit >> 3)]! >> (7 - (bit & 7))) & 1) flags |= 1 << bit;
  return flags;
}

/** Extension OIDs as the hexadecimal of their DER contents, to look them up without decoding OIDs. */
const oidHex = (oid: string) => derOid(oid).subarray(2).toString("hex");
const OID_HEX = { basicConstraints: oidHex(id_ce_basicConstraints), keyUsage: oidHex(id_ce_keyUsage), subjectKeyIdentifier: oidHex(id_ce_subjectKeyIdentifier) };

function attributes(name: Name, type: string): string[] {
  return [...name].flatMap((rdn) => [...rdn].filter((a) => a.type === type).map((a) => a.value.toString()));
}

/** The RFC 4514 text of a DER Name, for messages. */
export function nameTextOf(der: Uint8Array): string {
  return nameText(AsnConvert.parse(der, Name));
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

const hex = (bytes: ArrayBuffer | Uint8Array): string => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("hex");
