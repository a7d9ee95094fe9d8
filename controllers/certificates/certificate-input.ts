// What every certificates decision starts from: the Certificate and its issuer from the shared cache, and
// status.certificate read. Gathering is the only step that reads; the decisions are pure.

import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import type { Certificate, CertificateSpec } from "../../api/types/certificate.js";
import type { Informer } from "../runtime/informer.js";
import { readIssued, type IssuedView, type ReadCertificate } from "./issued-certificate.js";

export interface CertificateInput {
  /** The Certificate as cached; undefined when it is gone. */
  certificate: Certificate | undefined;
  /** The Certificate spec.issuerRef names, as cached; undefined for a root, or when it does not exist. */
  issuer: Certificate | undefined;
  /** status.certificate read; undefined when there is none (or the caller does not read it). */
  issued: IssuedView | undefined;
}

/** What a chain's checks see: a Certificate that exists, and the time. */
export interface CheckInput extends CertificateInput {
  certificate: Certificate;
  spec: CertificateSpec;
  now: number;
}

export function gatherCertificate(opts: { name: string; certificates: Informer<Certificate>; readCertificate?: ReadCertificate }): CertificateInput {
  const certificate = opts.certificates.get(opts.name);
  const issuerName = certificate?.spec?.issuerRef?.name;
  return {
    certificate,
    issuer: issuerName !== undefined ? opts.certificates.get(issuerName) : undefined,
    issued: opts.readCertificate ? readIssued(certificate?.status?.certificate, opts.readCertificate) : undefined,
  };
}

/** The input with the time, or undefined when the Certificate is gone or being deleted: nothing to decide. */
export function liveInput(input: CertificateInput, now: number): CheckInput | undefined {
  const { certificate } = input;
  // The CRD requires spec: an object without one is not a Certificate to act on.
  if (!certificate?.spec || certificate.metadata.deletionTimestamp) return undefined;
  return { ...input, certificate, spec: certificate.spec, now };
}

export { keyHeldByHolder } from "../../api/types/certificate-defaults.js";

/** The generation a condition or status says it was computed from, when the object has one. */
export const generationOf = (certificate: Certificate): { observedGeneration?: number } =>
  certificate.metadata.generation !== undefined ? { observedGeneration: certificate.metadata.generation } : {};

/** What a controller that reads issued certificates (trigger, readiness) is built with. */
export interface CertificatesControllerOptions {
  /** Reads an issued PEM certificate: api/pki's certificateFacts, passed in by cmd/. */
  readCertificate: ReadCertificate;
  concurrency?: number;
}

export interface CertificatesReconcilerOptions {
  certificates: Informer<Certificate>;
  client: RestClient;
  clock: Clock;
  readCertificate: ReadCertificate;
}
