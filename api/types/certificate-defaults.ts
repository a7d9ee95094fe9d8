// What a Certificate means where its spec is silent, shared by the server (which signs), the controllers
// (which compare what was issued with what is asked) and the CLI: the CRD's documented defaults.

import type { CertificateSpec, CertificateUsage } from "./certificate.js";
import { parseDuration } from "./duration.js";

export const DEFAULT_CA_USAGES: readonly CertificateUsage[] = ["cert sign", "crl sign", "digital signature"];
export const DEFAULT_LEAF_USAGES: readonly CertificateUsage[] = ["digital signature", "key encipherment", "server auth", "client auth"];
const HOUR = 3_600_000;
export const DEFAULT_CA_DURATION_MS = 87_600 * HOUR;
export const DEFAULT_LEAF_DURATION_MS = 2_160 * HOUR;
/** Issuers backdate notBefore by this much, for clocks a little behind. */
export const BACKDATE_MS = 60_000;

export function effectiveUsages(spec: Pick<CertificateSpec, "isCA" | "usages">): CertificateUsage[] {
  const usages = spec.usages && spec.usages.length > 0 ? spec.usages : spec.isCA ? DEFAULT_CA_USAGES : DEFAULT_LEAF_USAGES;
  return [...new Set(usages)].sort();
}

export const durationOf = (spec: Pick<CertificateSpec, "isCA" | "duration">): number =>
  spec.duration ? parseDuration(spec.duration) : spec.isCA ? DEFAULT_CA_DURATION_MS : DEFAULT_LEAF_DURATION_MS;

/** When to renew: renewBefore ahead of notAfter, or, without it, once two thirds of the lifetime have passed. */
export function renewalTimeOf(spec: Pick<CertificateSpec, "renewBefore">, notBeforeMs: number, notAfterMs: number): number {
  if (spec.renewBefore) return notAfterMs - parseDuration(spec.renewBefore);
  return notBeforeMs + Math.floor(((notAfterMs - notBeforeMs) * 2) / 3);
}

export const keyAlgorithmOf = (spec: Pick<CertificateSpec, "privateKey">) => spec.privateKey?.algorithm ?? "ECDSA";
export function keySizeOf(spec: Pick<CertificateSpec, "privateKey">): number {
  const algorithm = keyAlgorithmOf(spec);
  if (algorithm === "Ed25519") return 256;
  return spec.privateKey?.size ?? (algorithm === "RSA" ? 2048 : 256);
}

/** Whether the certificate's holder keeps its key (spec.privateKey.source CSR): then only its CSR issues it, never the controllers or the server. */
export const keyHeldByHolder = (spec: Pick<CertificateSpec, "privateKey">): boolean => spec.privateKey?.source === "CSR";
