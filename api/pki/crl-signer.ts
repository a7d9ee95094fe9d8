// Signs X.509 v2 CRLs synchronously, like certificates: asn1-x509's CertificateList and node:crypto.
// Not @peculiar/x509's X509CrlGenerator (1.14.3): it checks each entry against all before it (quadratic: 1,000
// entries took 0.3-0.7 s here), reads its own output back through asn1js, whose default 10,000-node limit
// fails from about 2,000 entries ("Maximum ASN.1 node count exceeded"), and signs through async WebCrypto.

import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  CRLNumber,
  CRLReason,
  CRLReasons,
  Extension,
  KeyIdentifier,
  RevokedCertificate,
  TBSCertList,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
} from "@peculiar/asn1-x509";
import type { CertificateRevocationReason } from "../types/certificate.js";
import { readAuthority, serialBytes, signatureSchemeOf, signedDer, toPem, x509Time } from "./certificate-signer.js";
import type { CrlTemplate, SignedCrl } from "./certificate-template.js";

export function signCrl(t: CrlTemplate): SignedCrl {
  if (!Number.isSafeInteger(t.number) || t.number < 0) throw new Error(`number ${t.number} must be a non-negative integer`);
  if (x509Time(t.nextUpdate).getTime() <= x509Time(t.thisUpdate).getTime()) throw new Error(`nextUpdate (${t.nextUpdate.toISOString()}) must be after thisUpdate (${t.thisUpdate.toISOString()}), to the second`);
  const authority = readAuthority(t.issuer, "crl sign");
  const scheme = signatureSchemeOf(authority.key);
  const extension = (extnID: string, value: unknown) => new Extension({ extnID, extnValue: new OctetString(AsnConvert.serialize(value)) });
  const reasons = new Map<CertificateRevocationReason, Extension[]>(); // seven at most: encode each once
  const reasonExtensions = (reason: CertificateRevocationReason): Extension[] => {
    // RFC 5280 5.3.1: the reason code SHOULD be absent rather than unspecified (0).
    if (reason === "unspecified") return [];
    let found = reasons.get(reason);
    if (!found) reasons.set(reason, (found = [extension(id_ce_cRLReasons, new CRLReason(CRLReasons[reason]))]));
    return found;
  };
  const seen = new Set<string>();
  const revoked = t.entries.map((entry, i) => {
    if (seen.has(entry.serialNumber)) throw new Error(`entries[${i}] repeats serial number ${entry.serialNumber}`);
    seen.add(entry.serialNumber);
    const crlEntryExtensions = reasonExtensions(entry.reason);
    return new RevokedCertificate({
      userCertificate: serialBytes(entry.serialNumber, `entries[${i}].serialNumber`),
      revocationDate: x509Time(entry.revokedAt),
      ...(crlEntryExtensions.length ? { crlEntryExtensions } : {}),
    });
  });
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: scheme.algorithm,
    issuer: authority.name,
    thisUpdate: x509Time(t.thisUpdate),
    nextUpdate: x509Time(t.nextUpdate),
    // An empty list is left out, not encoded as an empty SEQUENCE (RFC 5280 5.1.2.6).
    ...(revoked.length ? { revokedCertificates: revoked } : {}),
    crlExtensions: [
      extension(id_ce_authorityKeyIdentifier, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(authority.keyId) })),
      extension(id_ce_cRLNumber, new CRLNumber(t.number)),
    ],
  });
  const der = signedDer(Buffer.from(AsnConvert.serialize(tbs)), scheme, authority.key);
  return { der, pem: toPem("X509 CRL", der) };
}
