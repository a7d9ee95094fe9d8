// Issues X.509 v3 certificates synchronously, signed by node:crypto (WebCrypto's async path managed ~250/s). The
// TBSCertificate is written with der.ts: asn1-x509's serializer took ~0.5 ms a certificate here, as long as all the
// rest; asn1-x509 still names the OIDs and, in the tests, re-encodes every certificate to check the bytes.

import { createHash, createPublicKey, sign, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import {
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from "@peculiar/asn1-x509";
import { EXTENDED_KEY_USAGE_OIDS, issuerFacts, KEY_USAGE_FLAGS, nameTextOf, OID_COMMON_NAME, OID_ORGANIZATION } from "./certificate-facts.js";
import type { CertificateTemplate, KeySpec, SigningAuthority } from "./certificate-template.js";
import { context, der, derBits, derChildren, derInteger, derNamedBits, derNull, derOid, derTime, derTrue, derUtf8, pemBody, readDer, sequence, TAG, toPem } from "./der.js";
import { keySpecOfKey, loadPrivateKey, type LoadedKey } from "./private-key.js";

/** Signs `template` for the holder of `subjectPrivateKeyPem`; without `issuer` the certificate is self-signed (a root). */
export function signCertificate(template: CertificateTemplate, subjectPrivateKeyPem: string, issuer?: SigningAuthority): string {
  checkTemplate(template);
  const subjectKey = loadPrivateKey(subjectPrivateKeyPem);
  return certificatePem(template, subjectKey.spkiDer, (self) => (issuer ? readAuthority(issuer, "cert sign") : { key: subjectKey, ...self }));
}

/**
 * Signs `template` for a key the server never holds (a node's, from its CSR), given as its SubjectPublicKeyInfo
 * (DER); such a certificate always has an issuer. Refuses a key of a kind claw does not issue.
 */
export function signCertificateForPublicKey(template: CertificateTemplate, subjectPublicKeyDer: Uint8Array, issuer: SigningAuthority): string {
  checkTemplate(template);
  const publicKey = createPublicKey({ key: Buffer.from(subjectPublicKeyDer), format: "der", type: "spki" });
  keySpecOfKey(publicKey);
  // Written as node:crypto encodes it, so the certificate carries a well-formed key whatever the request's encoding.
  const spkiDer = publicKey.export({ type: "spki", format: "der" });
  return certificatePem(template, spkiDer, () => readAuthority(issuer, "cert sign"));
}

/** The signed certificate; `authorityOf` is given the subject's encoded name and key identifier, for a self-signed one. */
function certificatePem(template: CertificateTemplate, spkiDer: Buffer, authorityOf: (self: { nameDer: Buffer; keyId: Buffer }) => Authority): string {
  const subjectKeyId = keyIdentifierOf(spkiDer);
  const subject = subjectName(template.subject);
  const authority = authorityOf({ nameDer: subject, keyId: subjectKeyId });
  const scheme = signatureSchemeOf(authority.key.spec);
  const tbs = sequence(
    der(context(0, true), derInteger(2)), // v3
    der(TAG.INTEGER, serialBytes(template.serialNumber, "serialNumber")),
    scheme.algorithm,
    authority.nameDer,
    sequence(derTime(template.notBefore), derTime(template.notAfter)),
    subject,
    spkiDer,
    der(context(3, true), sequence(...extensionsOf(template, subjectKeyId, authority.keyId))),
  );
  return toPem("CERTIFICATE", signedDer(tbs, scheme, authority.key.keyObject()));
}

/** A CA ready to sign: its key, its subject exactly as its certificate encodes it, and its key identifier. */
export interface Authority {
  key: LoadedKey;
  nameDer: Buffer;
  keyId: Buffer;
}

/** Reads a CA that is to sign certificates or CRLs, refusing one that is not a CA or whose key is not its own. */
export function readAuthority(issuer: SigningAuthority, needs: "cert sign" | "crl sign"): Authority {
  const certificate = issuerFacts(pemBody(issuer.certificatePem, "CERTIFICATE"));
  const named = () => nameTextOf(certificate.subjectDer);
  if (!certificate.isCA) throw new Error(`the issuer certificate "${named()}" is not a CA: its basicConstraints do not say cA`);
  if (certificate.keyUsage !== undefined && !(certificate.keyUsage & KEY_USAGE_FLAGS.get(needs)!)) throw new Error(`the issuer certificate "${named()}" is a CA whose key usage lacks "${needs}"`);
  const key = loadPrivateKey(issuer.privateKeyPem);
  if (!key.spkiDer.equals(certificate.spkiDer)) throw new Error(`the issuer's private key does not belong to its certificate "${named()}"`);
  // The issuer field repeats the CA's subject as encoded, or OpenSSL does not chain them: never re-encode it.
  return { key, nameDer: certificate.subjectDer, keyId: certificate.subjectKeyId ?? keyIdentifierOf(certificate.spkiDer) };
}

const OID = {
  basicConstraints: derOid(id_ce_basicConstraints),
  keyUsage: derOid(id_ce_keyUsage),
  extKeyUsage: derOid(id_ce_extKeyUsage),
  subjectAltName: derOid(id_ce_subjectAltName),
  subjectKeyIdentifier: derOid(id_ce_subjectKeyIdentifier),
  authorityKeyIdentifier: derOid(id_ce_authorityKeyIdentifier),
  commonName: derOid(OID_COMMON_NAME),
  organization: derOid(OID_ORGANIZATION),
};

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
export const derExtension = (oid: Buffer, critical: boolean, value: Buffer): Buffer => sequence(oid, ...(critical ? [derTrue()] : []), der(TAG.OCTET_STRING, value));

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING } */
export const authorityKeyIdentifier = (keyId: Buffer): Buffer => derExtension(OID.authorityKeyIdentifier, false, sequence(der(context(0, false), keyId)));

function extensionsOf(t: CertificateTemplate, subjectKeyId: Buffer, authorityKeyId: Buffer): Buffer[] {
  const emptySubject = !t.subject.commonName && !t.subject.organizations?.length;
  // A CA always signs certificates and CRLs: OpenSSL refuses a CA, or its CRLs, whose key usage lacks them.
  const usages = t.isCA ? [...t.usages, "cert sign" as const, "crl sign" as const] : t.usages;
  const keyUsage = usages.reduce((flags, u) => flags | (KEY_USAGE_FLAGS.get(u) ?? 0), 0);
  const extendedKeyUsages = [...EXTENDED_KEY_USAGE_OIDS].filter(([u]) => usages.includes(u)).map(([, oid]) => derOid(oid));
  const names = [
    ...t.dnsNames.map((name) => der(context(2, false), Buffer.from(name, "latin1"))),
    ...t.ipAddresses.map((ip) => der(context(7, false), ipBytes(ip))),
  ];
  return [
    derExtension(OID.basicConstraints, true, sequence(...(t.isCA ? [derTrue()] : []))),
    ...(keyUsage ? [derExtension(OID.keyUsage, true, derNamedBits(keyUsage))] : []),
    ...(extendedKeyUsages.length ? [derExtension(OID.extKeyUsage, false, sequence(...extendedKeyUsages))] : []),
    // RFC 5280 4.2.1.6: the names are critical when they are all the certificate says of its subject.
    ...(names.length ? [derExtension(OID.subjectAltName, emptySubject, sequence(...names))] : []),
    derExtension(OID.subjectKeyIdentifier, false, der(TAG.OCTET_STRING, subjectKeyId)),
    authorityKeyIdentifier(authorityKeyId),
  ];
}

/** Organizations then the common name, each its own RDN, as UTF8String. */
function subjectName(subject: CertificateTemplate["subject"]): Buffer {
  const rdn = (oid: Buffer, value: string) => der(TAG.SET, sequence(oid, derUtf8(value)));
  const organizations = (subject.organizations ?? []).map((o) => rdn(OID.organization, o));
  return sequence(...organizations, ...(subject.commonName ? [rdn(OID.commonName, subject.commonName)] : []));
}

/** The checks a template must pass, each refusing with the field to fix. */
function checkTemplate(t: CertificateTemplate): void {
  serialBytes(t.serialNumber, "serialNumber");
  if (Math.floor(t.notAfter.getTime() / 1000) <= Math.floor(t.notBefore.getTime() / 1000)) throw new Error(`notAfter (${t.notAfter.toISOString()}) must be after notBefore (${t.notBefore.toISOString()}), to the second`);
  t.usages.forEach((u, i) => {
    if (!KEY_USAGE_FLAGS.has(u) && !EXTENDED_KEY_USAGE_OIDS.has(u)) throw new Error(`usages[${i}] "${u}" is not a usage: use one of ${[...KEY_USAGE_FLAGS.keys(), ...EXTENDED_KEY_USAGE_OIDS.keys()].join(", ")}`);
  });
  if (!t.isCA && t.usages.includes("cert sign")) throw new Error(`usages has "cert sign" but isCA is false: only a CA signs certificates`);
  // dNSName is an IA5String: an internationalized name goes in as its punycode A-label.
  t.dnsNames.forEach((n, i) => {
    if (!/^[\x21-\x7e]+$/.test(n)) throw new Error(`dnsNames[${i}] "${n}" must be printable ASCII without spaces (punycode for international names)`);
  });
  t.ipAddresses.forEach((ip, i) => {
    if (isIP(ip) === 0) throw new Error(`ipAddresses[${i}] "${ip}" is not an IPv4 or IPv6 address`);
  });
}

/** A serial's DER INTEGER contents: positive and minimal (a leading 00 only before a byte of 80 or more), 1 to 20 bytes. */
export function serialBytes(serial: string, field: string): Buffer {
  const bytes = /^([0-9a-f]{2}){1,20}$/.test(serial) ? Buffer.from(serial, "hex") : undefined;
  const positive = bytes !== undefined && bytes[0]! < 0x80 && bytes.some((b) => b !== 0);
  if (!bytes || !positive || (bytes[0] === 0 && bytes[1]! < 0x80)) {
    throw new Error(`${field} "${serial}" must be a positive integer of 1 to 20 bytes in lowercase hexadecimal, an even number of digits, first byte below 80 and no redundant leading 00 (RFC 5280 4.1.2.2, DER)`);
  }
  return bytes;
}

/** An iPAddress GeneralName's bytes: 4 for IPv4, 16 for IPv6 (a dotted IPv4 tail, ::ffff:1.2.3.4, is two groups). */
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split(".").map(Number));
  const dotted = ip.includes(".") ? ipBytes(ip.slice(ip.lastIndexOf(":") + 1)) : undefined;
  const text = dotted ? `${ip.slice(0, ip.lastIndexOf(":") + 1)}${dotted.readUInt16BE(0).toString(16)}:${dotted.readUInt16BE(2).toString(16)}` : ip;
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => (part ? part.split(":") : []);
  const [left, right] = [groups(head), groups(tail ?? "")];
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
function keyIdentifierOf(spkiDer: Buffer): Buffer {
  const bits = derChildren(readDer(spkiDer))[1]!.contents.subarray(1);
  return createHash("sha1").update(bits).digest();
}

/** How a CA key signs: the AlgorithmIdentifier (DER) it names and the digest node:crypto uses (none for Ed25519). */
export interface SignatureScheme {
  algorithm: Buffer;
  digest: string | null;
}

export function signatureSchemeOf(spec: KeySpec): SignatureScheme {
  switch (spec.algorithm) {
    case "ECDSA": {
      const [digest, oid] = spec.size === 521 ? ["sha512", "1.2.840.10045.4.3.4"] : spec.size === 384 ? ["sha384", "1.2.840.10045.4.3.3"] : ["sha256", "1.2.840.10045.4.3.2"];
      return { algorithm: sequence(derOid(oid)), digest };
    }
    case "RSA": // sha256WithRSAEncryption, PKCS#1 v1.5, whose parameters are an explicit NULL
      return { algorithm: sequence(derOid("1.2.840.113549.1.1.11"), derNull()), digest: "sha256" };
    case "Ed25519":
      return { algorithm: sequence(derOid("1.3.101.112")), digest: null };
  }
}

/** SEQUENCE { tbs, signatureAlgorithm, BIT STRING signature }: the signed shape of certificates and CRLs alike. */
export function signedDer(tbsDer: Buffer, scheme: SignatureScheme, key: KeyObject): Buffer {
  const signature = sign(scheme.digest, tbsDer, key); // ECDSA signatures come DER-encoded, as X.509 wants them
  return sequence(tbsDer, scheme.algorithm, derBits(signature));
}
