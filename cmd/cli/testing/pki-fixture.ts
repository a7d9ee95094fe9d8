// Test fixtures for `claw pki`: a Certificate as the controllers leave it, changed by modifiers.

import type { Condition } from "../../../api/machinery/meta.js";
import type { Certificate } from "../../../api/types/certificate.js";

export type CertificateModifier = (c: Certificate) => void;

/** gateway, generation 1, issued (revision 1, Ready=True) at 2026-03-01T08:00:00Z for 90 days. */
export function certificateFixture(...modifiers: CertificateModifier[]): Certificate {
  const cert: Certificate = {
    apiVersion: "security.clawbernetes.com/v1",
    kind: "Certificate",
    metadata: { name: "gateway", generation: 1, resourceVersion: "10" },
    spec: { commonName: "gateway.example.com", issuerRef: { name: "clawbernetes-ca" }, dnsNames: ["gateway.example.com"] },
    status: {
      observedGeneration: 1,
      certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      serialNumber: "0a1b2c",
      notBefore: "2026-03-01T08:00:00Z",
      notAfter: "2026-05-30T08:00:00Z",
      revision: 1,
      conditions: [condition("Ready", "True", "Ready"), condition("Issuing", "False", "Issued")],
    },
  };
  for (const modify of modifiers) modify(cert);
  return cert;
}

export const condition = (type: string, status: Condition["status"], reason: string, message = "", observedGeneration?: number): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: "2026-03-01T08:00:00Z",
  ...(observedGeneration !== undefined ? { observedGeneration } : {}),
});

export const named = (name: string): CertificateModifier => (c) => void (c.metadata.name = name);
export const withSpec = (spec: Partial<NonNullable<Certificate["spec"]>>): CertificateModifier => (c) => void (c.spec = { ...c.spec!, ...spec });
export const withStatus = (status: Partial<NonNullable<Certificate["status"]>>): CertificateModifier => (c) => void (c.status = { ...c.status, ...status });
export const generation = (n: number): CertificateModifier => (c) => void (c.metadata.generation = n);
/** Replaces (or adds) one condition. */
export const withCondition = (cond: Condition): CertificateModifier => (c) =>
  void (c.status = { ...c.status, conditions: [...(c.status?.conditions ?? []).filter((x) => x.type !== cond.type), cond] });
export const noStatus: CertificateModifier = (c) => void delete c.status;
