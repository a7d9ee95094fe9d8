// Does the issued certificate still say what the spec asks? One comparison, shared by the trigger (which
// reissues on a difference, SpecChanged) and readiness (which reports it, SpecMismatch): an ordered list of
// named field comparisons, the first difference found is the sentence a person reads.

import type { Certificate, CertificateSpec, CertificateStatus, CertificateUsage } from "../../api/types/certificate.js";
import { BACKDATE_MS, durationOf, effectiveUsages, keyAlgorithmOf, keySizeOf } from "../../api/types/certificate-defaults.js";
import { formatDuration } from "../../api/types/duration.js";
import { keyHeldByHolder } from "./certificate-input.js";
import type { IssuedCertificate, IssuedView } from "./issued-certificate.js";
import { firstFiring, type PolicyCheck } from "./policy-chain.js";

/** Certificate times are whole seconds. */
export const TIME_SLACK_MS = 1000;

export interface SpecMatchInput {
  spec: CertificateSpec;
  status: CertificateStatus | undefined;
  issued: IssuedView;
  /** The Certificate spec.issuerRef names, as cached (for a lifetime cut short at its expiry). */
  issuer: Certificate | undefined;
}

type Readable = Omit<SpecMatchInput, "issued"> & { facts: IssuedCertificate };

/** The field comparisons, in order; each says how the issued certificate differs, or nothing. */
export const SPEC_COMPARISONS: readonly PolicyCheck<Readable, string>[] = [
  // The subject's common name.
  { name: "CommonName", check: ({ spec, facts }) => (facts.commonName !== spec.commonName ? `the issued certificate has common name "${facts.commonName}"; spec.commonName asks for "${spec.commonName}"` : undefined) },
  // The subject's organizations, as a set.
  { name: "Organizations", check: ({ spec, facts }) => setDiffers("organizations", facts.organizations, spec.subject?.organizations, "spec.subject.organizations") },
  // CA or leaf.
  { name: "IsCA", check: ({ spec, facts }) => (facts.isCA !== (spec.isCA === true) ? `the issued certificate ${facts.isCA ? "is" : "is not"} a CA; spec.isCA is ${spec.isCA === true}` : undefined) },
  // The DNS names, as a set.
  { name: "DNSNames", check: ({ spec, facts }) => setDiffers("DNS names", facts.dnsNames, spec.dnsNames, "spec.dnsNames") },
  // The IP addresses, as a set of canonical addresses (an IPv6 address has many spellings).
  { name: "IPAddresses", check: ({ spec, facts }) => setDiffers("IP addresses", facts.ipAddresses.map(canonicalIp), (spec.ipAddresses ?? []).map(canonicalIp), "spec.ipAddresses") },
  // The usages, with the CRD's defaults when spec.usages is omitted.
  { name: "Usages", check: ({ spec, facts }) => setDiffers("usages", facts.usages, issuedUsages(spec), spec.usages?.length ? "spec.usages" : `the default usages of a ${spec.isCA ? "CA" : "leaf"}`) },
  // The key algorithm, unless the key is its node's to choose (source CSR).
  { name: "KeyAlgorithm", check: ({ spec, facts }) => (!keyHeldByHolder(spec) && facts.keyAlgorithm !== keyAlgorithmOf(spec) ? `the issued certificate has an ${facts.keyAlgorithm} key; spec.privateKey.algorithm asks for ${keyAlgorithmOf(spec)}` : undefined) },
  // The key size (Ed25519 has one size), unless the key is its node's to choose.
  { name: "KeySize", check: ({ spec, facts }) => (!keyHeldByHolder(spec) && facts.keyAlgorithm !== "Ed25519" && facts.keySize !== keySizeOf(spec) ? `the issued certificate has a ${facts.keySize}-bit ${facts.keyAlgorithm} key; spec.privateKey asks for ${keySizeOf(spec)} bits` : undefined) },
  // Self-signed root or signed by an issuer.
  { name: "Issuer", check: issuerDiffers },
  // The lifetime, when the certificate tells it.
  { name: "Duration", check: durationDiffers },
];

/** How the issued certificate differs from the spec, in a sentence; undefined when it matches. */
export function specMismatch(input: SpecMatchInput): string | undefined {
  const { issued, ...rest } = input;
  if ("unreadable" in issued) return `status.certificate cannot be read (${issued.unreadable}); it is issued again`;
  return firstFiring(SPEC_COMPARISONS, { ...rest, facts: issued.facts })?.result;
}

/**
 * True when the certificate ends exactly when the CA that signed it does: the server cut its lifetime short
 * there, so issuing it again from the same CA could not make it last longer.
 */
export function endsWithIssuer(opts: { status: CertificateStatus | undefined; issuer: Certificate | undefined; notAfterMs: number }): boolean {
  const signer = opts.issuer?.status;
  if (!signer?.serialNumber || signer.serialNumber !== opts.status?.issuerSerialNumber) return false;
  const issuerNotAfter = Date.parse(signer.notAfter ?? "");
  return Math.abs(issuerNotAfter - opts.notAfterMs) <= TIME_SLACK_MS;
}

/** The usages a spec is issued with: a CA always gets cert sign and crl sign too (OpenSSL refuses a CA, or its CRLs, without them). */
export function issuedUsages(spec: CertificateSpec): CertificateUsage[] {
  const usages = effectiveUsages(spec);
  return spec.isCA ? [...new Set([...usages, "cert sign" as const, "crl sign" as const])].sort() : usages;
}

function issuerDiffers({ spec, status }: Readable): string | undefined {
  // A self-signed root records no issuer serial (or, to be lenient, its own).
  const selfSigned = status?.issuerSerialNumber === undefined || status.issuerSerialNumber === status.serialNumber;
  if (spec.issuerRef && selfSigned) return `the issued certificate is self-signed; spec.issuerRef names issuer "${spec.issuerRef.name}"`;
  if (!spec.issuerRef && !selfSigned) return "the issued certificate was signed by an issuer; without spec.issuerRef it is a self-signed root";
  return undefined;
}

function durationDiffers({ spec, status, facts, issuer }: Readable): string | undefined {
  let wanted: number;
  try {
    wanted = durationOf(spec);
  } catch {
    return undefined; // admission refuses an unreadable duration; nothing to compare with
  }
  const notAfterMs = facts.notAfter.getTime();
  const lifetime = notAfterMs - facts.notBefore.getTime();
  // The server backdates notBefore by a minute, so the certificate lives that much longer than asked.
  if (lifetime >= wanted - TIME_SLACK_MS && lifetime <= wanted + BACKDATE_MS + TIME_SLACK_MS) return undefined;
  if (lifetime < wanted && spec.issuerRef) {
    // Cut short at the end of the CA that signed it: as long as that CA allows.
    if (endsWithIssuer({ status, issuer, notAfterMs })) return undefined;
    // Signed by an earlier certificate of the CA (or the CA is gone): its end cannot be told; IssuerRenewed reissues it.
    if (issuer?.status?.serialNumber !== status?.issuerSerialNumber) return undefined;
  }
  const lived = formatDuration(Math.max(TIME_SLACK_MS, lifetime > BACKDATE_MS ? lifetime - BACKDATE_MS : lifetime));
  return `the issued certificate is valid for ${lived}; ${spec.duration ? "spec.duration" : `the default duration of a ${spec.isCA ? "CA" : "leaf"}`} asks for ${formatDuration(wanted)}`;
}

function setDiffers(what: string, issued: readonly string[], wanted: readonly string[] | undefined, field: string): string | undefined {
  const have = [...new Set(issued)].sort();
  const want = [...new Set(wanted ?? [])].sort();
  if (have.length === want.length && have.every((v, i) => v === want[i])) return undefined;
  return `the issued certificate has ${what} ${listText(have)}; ${field} ${field.startsWith("spec.") ? "asks for" : "are"} ${listText(want)}`;
}

const listText = (values: readonly string[]) => (values.length === 0 ? "[]" : `[${values.join(", ")}]`);

/** An IP address in one spelling: IPv6 compressed and lowercase, as the URL standard writes it. */
export function canonicalIp(ip: string): string {
  if (!ip.includes(":")) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}
