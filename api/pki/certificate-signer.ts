// Issues X.509 v3 certificates synchronously: asn1-x509 builds the TBSCertificate, node:crypto signs it. A
// fresh P-256 key and its certificate take well under a millisecond, where WebCrypto's async path managed ~250/s.

import { createHash, createPrivateKey, createPublicKey, sign, X509Certificate, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import { AsnAnyConverter, AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from "@peculiar/asn1-x509";
import type { CertificateUsage } from "../types/certificate.js";
import { EXTENDED_KEY_USAGE_OIDS, factsOfCertificate, KEY_USAGE_FLAGS, OID_COMMON_NAME, OID_ORGANIZATION, subjectDerOf } from "./certificate-facts.js";
import type { CertificateTemplate, SigningAuthority } from "./certificate-template.js";
import { keySpecOfKey } from "./private-key.js";

/** Signs `template` for the holder of `subjectPrivateKeyPem`; without `issuer` the certificate is self-signed (a root). */
export function signCertificate(template: CertificateTemplate, subjectPrivateKeyPem: string, issuer?: SigningAuthority): string {
  checkTemplate(template);
  const subjectKey = createPrivateKey(subjectPrivateKeyPem);
  const spki = AsnConvert.parse(createPublicKey(subjectKey).export({ type: "spki", format: "der" }), SubjectPublicKeyInfo);
  const subjectKeyId = keyIdentifierOf(spki);
  const subject = subjectName(template.subject);
  const authority = issuer ? readAuthority(issuer) : { key: subjectKey, name: subject, keyId: subjectKeyId };
  const scheme = signatureSchemeOf(authority.key);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialBytes(template.serialNumber, "serialNumber"),
    signature: scheme.algorithm,
    issuer: authority.name,
    validity: Object.assign(new Validity(), { notBefore: x509Time(template.notBefore), notAfter: x509Time(template.notAfter) }),
    subject,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(extensionsOf(template, subject.length === 0, subjectKeyId, authority.keyId)),
  });
  const der = signedDer(Buffer.from(AsnConvert.serialize(tbs)), scheme, authority.key);
  return toPem("CERTIFICATE", der);
}

export function toPem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;
}

/** A CA ready to sign: its key, its subject exactly as its certificate encodes it, and its key identifier. */
export interface Authority {
  key: KeyObject;
  name: Name;
  keyId: Buffer;
}

export function readAuthority(issuer: SigningAuthority, needs: CertificateUsage = "cert sign"): Authority {
  const certificate = new X509Certificate(issuer.certificatePem);
  const facts = factsOfCertificate(certificate);
  if (!facts.isCA) throw new Error(`the issuer certificate "${facts.issuer}" is not a CA: its basicConstraints do not say cA`);
  const hasKeyUsage = facts.usages.some((u) => KEY_USAGE_FLAGS.has(u));
  if (hasKeyUsage && !facts.usages.includes(needs)) throw new Error(`the issuer certificate "${facts.commonName}" is a CA whose key usage lacks "${needs}"`);
  const key = createPrivateKey(issuer.privateKeyPem);
  if (!certificate.checkPrivateKey(key)) throw new Error(`the issuer's private key does not belong to its certificate "${facts.commonName}"`);
  const encoded = subjectDerOf(certificate.raw);
  // A Name that serializes to the issuer's own bytes: re-encoding the parsed Name could change string types or order.
  const name = Object.assign(new Name(), { toASN: () => AsnAnyConverter.toASN(new Uint8Array(encoded).buffer), fromASN: () => name });
  const keyId = facts.subjectKeyId ? Buffer.from(facts.subjectKeyId, "hex") : keyIdentifierOf(AsnConvert.parse(certificate.publicKey.export({ type: "spki", format: "der" }), SubjectPublicKeyInfo));
  return { key, name, keyId };
}

function extensionsOf(t: CertificateTemplate, emptySubject: boolean, subjectKeyId: Buffer, authorityKeyId: Buffer): Extension[] {
  const extension = (extnID: string, critical: boolean, value: unknown) => new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
  // A CA always signs certificates and CRLs: OpenSSL refuses a CA, or its CRLs, whose key usage lacks them.
  const usages = t.isCA ? [...t.usages, "cert sign" as const, "crl sign" as const] : t.usages;
  const keyUsage = usages.reduce((flags, u) => flags | (KEY_USAGE_FLAGS.get(u) ?? 0), 0);
  const extendedKeyUsages = [...EXTENDED_KEY_USAGE_OIDS].filter(([u]) => usages.includes(u)).map(([, oid]) => oid);
  const names = [...t.dnsNames.map((dNSName) => new GeneralName({ dNSName })), ...t.ipAddresses.map((ip) => new GeneralName({ iPAddress: ipText(ip) }))];
  return [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: t.isCA })),
    ...(keyUsage ? [extension(id_ce_keyUsage, true, new KeyUsage(keyUsage))] : []),
    ...(extendedKeyUsages.length ? [extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage(extendedKeyUsages))] : []),
    // RFC 5280 4.2.1.6: the names are critical when they are all the certificate says of its subject.
    ...(names.length ? [extension(id_ce_subjectAltName, emptySubject, new SubjectAlternativeName(names))] : []),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(subjectKeyId)),
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(authorityKeyId) })),
  ];
}

/** Organizations then the common name, each its own RDN, as UTF8String. */
function subjectName(subject: CertificateTemplate["subject"]): Name {
  const rdn = (type: string, utf8String: string) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String }) })]);
  const organizations = (subject.organizations ?? []).map((o) => rdn(OID_ORGANIZATION, o));
  return new Name(subject.commonName ? [...organizations, rdn(OID_COMMON_NAME, subject.commonName)] : organizations);
}

/** The checks a template must pass, each refusing with the field to fix. */
function checkTemplate(t: CertificateTemplate): void {
  serialBytes(t.serialNumber, "serialNumber");
  if (x509Time(t.notAfter).getTime() <= x509Time(t.notBefore).getTime()) throw new Error(`notAfter (${t.notAfter.toISOString()}) must be after notBefore (${t.notBefore.toISOString()}), to the second`);
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

/** A serial's DER INTEGER contents: positive, minimal, 1 to 20 bytes (RFC 5280 4.1.2.2). */
export function serialBytes(serial: string, field: string): ArrayBuffer {
  const first = parseInt(serial.slice(0, 2), 16);
  if (!/^([0-9a-f]{2}){1,20}$/.test(serial) || first === 0 || first >= 0x80) {
    throw new Error(`${field} "${serial}" must be 1 to 20 bytes of lowercase hexadecimal (an even number of digits) whose first byte is 01 to 7f, so it is positive and minimal`);
  }
  return new Uint8Array(Buffer.from(serial, "hex")).buffer;
}

/** asn1-x509's IpConverter reads every IPv6 group as hex, so a dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups. */
function ipText(ip: string): string {
  if (isIP(ip) !== 6 || !ip.includes(".")) return ip;
  const tail = ip.lastIndexOf(":") + 1;
  const [a = 0, b = 0, c = 0, d = 0] = ip.slice(tail).split(".").map(Number);
  return `${ip.slice(0, tail)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
function keyIdentifierOf(spki: SubjectPublicKeyInfo): Buffer {
  return createHash("sha1").update(new Uint8Array(spki.subjectPublicKey)).digest();
}

/** UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 4.1.2.5), in whole seconds. */
export function x509Time(date: Date): Time {
  const seconds = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const year = seconds.getUTCFullYear();
  return new Time(year >= 1950 && year < 2050 ? { utcTime: seconds } : { generalTime: seconds });
}

/** How a CA key signs: the AlgorithmIdentifier it names and the digest node:crypto uses (none for Ed25519). */
export interface SignatureScheme {
  algorithm: AlgorithmIdentifier;
  digest: string | null;
}

export function signatureSchemeOf(key: KeyObject): SignatureScheme {
  const spec = keySpecOfKey(key);
  switch (spec.algorithm) {
    case "ECDSA": {
      const [digest, oid] = spec.size === 521 ? ["sha512", "1.2.840.10045.4.3.4"] : spec.size === 384 ? ["sha384", "1.2.840.10045.4.3.3"] : ["sha256", "1.2.840.10045.4.3.2"];
      return { algorithm: new AlgorithmIdentifier({ algorithm: oid }), digest };
    }
    case "RSA": // sha256WithRSAEncryption, PKCS#1 v1.5, whose parameters are an explicit NULL
      return { algorithm: new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.11", parameters: null }), digest: "sha256" };
    case "Ed25519":
      return { algorithm: new AlgorithmIdentifier({ algorithm: "1.3.101.112" }), digest: null };
  }
}

/** SEQUENCE { tbs, signatureAlgorithm, BIT STRING signature }: the signed shape of certificates and CRLs alike. */
export function signedDer(tbsDer: Buffer, scheme: SignatureScheme, key: KeyObject): Buffer {
  const signature = sign(scheme.digest, tbsDer, key); // ECDSA signatures come DER-encoded, as X.509 wants them
  const algorithm = Buffer.from(AsnConvert.serialize(scheme.algorithm));
  return derElement(0x30, Buffer.concat([tbsDer, algorithm, derElement(0x03, Buffer.concat([Buffer.of(0), signature]))]));
}

function derElement(tag: number, contents: Buffer): Buffer {
  const n = contents.length;
  const length: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) length.unshift(rest % 256);
  return Buffer.concat([Buffer.from(n < 0x80 ? [tag, n] : [tag, 0x80 | length.length, ...length]), contents]);
}
