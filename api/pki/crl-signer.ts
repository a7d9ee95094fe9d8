// Signs X.509 v2 CRLs synchronously, like certificates: DER by hand (der.ts), signed by node:crypto.
// Not @peculiar/x509's X509CrlGenerator (1.14.3): it checks each entry against all before it (quadratic: 1,000
// entries took 0.3-0.7 s here), reads its own output back through asn1js, whose default 10,000-node limit
// fails from about 2,000 entries ("Maximum ASN.1 node count exceeded"), and signs through async WebCrypto.

import { CRLReasons, id_ce_cRLNumber, id_ce_cRLReasons } from "@peculiar/asn1-x509";
import type { CertificateRevocationReason } from "../types/certificate.js";
import { authorityKeyIdentifier, derExtension, readAuthority, serialBytes, signatureSchemeOf, signedDer } from "./certificate-signer.js";
import type { CrlEntry, CrlTemplate, SignedCrl } from "./certificate-template.js";
import { context, der, derInteger, derOid, derTime, sequence, TAG, toPem } from "./der.js";

const CRL_NUMBER = derOid(id_ce_cRLNumber);
const CRL_REASON = derOid(id_ce_cRLReasons);

export function signCrl(t: CrlTemplate): SignedCrl {
  if (!Number.isSafeInteger(t.number) || t.number < 0) throw new Error(`number ${t.number} must be a non-negative integer`);
  if (Math.floor(t.nextUpdate.getTime() / 1000) <= Math.floor(t.thisUpdate.getTime() / 1000)) throw new Error(`nextUpdate (${t.nextUpdate.toISOString()}) must be after thisUpdate (${t.thisUpdate.toISOString()}), to the second`);
  const authority = readAuthority(t.issuer, "crl sign");
  const scheme = signatureSchemeOf(authority.key.spec);
  const reasons = new Map<CertificateRevocationReason, Buffer>(); // seven at most: encode each once
  const seen = new Set<string>();
  const revoked = t.entries.map((entry, i) => {
    if (seen.has(entry.serialNumber)) throw new Error(`entries[${i}] repeats serialNumber ${entry.serialNumber}`);
    seen.add(entry.serialNumber);
    return revokedCertificate(entry, i, reasons);
  });
  const tbs = sequence(
    derInteger(1), // v2
    scheme.algorithm,
    authority.nameDer,
    derTime(t.thisUpdate),
    derTime(t.nextUpdate),
    // An empty list is left out rather than encoded as an empty SEQUENCE (RFC 5280 5.1.2.6).
    ...(revoked.length ? [sequence(...revoked)] : []),
    der(context(0, true), sequence(authorityKeyIdentifier(authority.keyId), derExtension(CRL_NUMBER, false, derInteger(t.number)))),
  );
  const signed = signedDer(tbs, scheme, authority.key.keyObject());
  return { der: signed, pem: toPem("X509 CRL", signed) };
}

/** SEQUENCE { userCertificate, revocationDate, crlEntryExtensions OPTIONAL } */
function revokedCertificate(entry: CrlEntry, i: number, reasons: Map<CertificateRevocationReason, Buffer>): Buffer {
  const serial = der(TAG.INTEGER, serialBytes(entry.serialNumber, `entries[${i}].serialNumber`));
  // RFC 5280 5.3.1: the reason code SHOULD be absent rather than unspecified (0).
  if (entry.reason === "unspecified") return sequence(serial, derTime(entry.revokedAt));
  let reason = reasons.get(entry.reason);
  if (!reason) reasons.set(entry.reason, (reason = sequence(derExtension(CRL_REASON, false, derInteger(CRLReasons[entry.reason], TAG.ENUMERATED)))));
  return sequence(serial, derTime(entry.revokedAt), reason);
}
