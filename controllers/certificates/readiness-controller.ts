// certificates-readiness: computes the Ready condition and status.observedGeneration from the Certificate,
// its issued certificate and its issuer, and wakes exactly at notAfter.

import { plural, type Certificate } from "../../api/types/certificate.js";
import { Controller, workersOption, type ReconcileRequest, type ReconcileResult, type Reconciler } from "../runtime/controller.js";
import type { ControllerFactory } from "../runtime/manager.js";
import { gatherCertificate, type CertificatesControllerOptions, type CertificatesReconcilerOptions } from "./certificate-input.js";
import { writeCertificateStatus } from "./certificate-status.js";
import { watchWithDependents } from "./dependents.js";
import { decideReadiness } from "./readiness-decision.js";

export const CERTIFICATES_READINESS_CONTROLLER = "certificates-readiness";
const FIELD_MANAGER = "claw-certificates-readiness";

export class CertificatesReadinessReconciler implements Reconciler {
  constructor(private readonly opts: CertificatesReconcilerOptions) {}

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const input = gatherCertificate({ name, certificates: this.opts.certificates, readCertificate: this.opts.readCertificate });
    const plan = decideReadiness(input, this.opts.clock.now());
    if (plan.action === "none" || !input.certificate) return {};
    await writeCertificateStatus({ client: this.opts.client, current: input.certificate, status: plan.status, fieldManager: FIELD_MANAGER });
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {};
  }
}

export function certificatesReadinessController(opts: CertificatesControllerOptions): ControllerFactory {
  return (ctx) => {
    const certificates = ctx.informer<Certificate>(plural);
    const reconciler = new CertificatesReadinessReconciler({ certificates, client: ctx.client, clock: ctx.clock, readCertificate: opts.readCertificate });
    const controller = new Controller({ name: CERTIFICATES_READINESS_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, ...workersOption(opts.concurrency, ctx.workers) });
    return watchWithDependents(controller, certificates);
  };
}
