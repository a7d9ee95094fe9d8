// certificates-trigger: decides when a Certificate must be issued and says so by setting Issuing=True with
// the reason; it never signs. It wakes exactly at the renewal time, and a CA's change reconciles the
// Certificates it signs.

import { plural, type Certificate } from "../../api/types/certificate.js";
import { Controller, workersOption, type ReconcileRequest, type ReconcileResult, type Reconciler } from "../runtime/controller.js";
import type { ControllerFactory } from "../runtime/manager.js";
import { gatherCertificate, type CertificatesControllerOptions, type CertificatesReconcilerOptions } from "./certificate-input.js";
import { writeCertificateStatus } from "./certificate-status.js";
import { watchWithDependents } from "./dependents.js";
import { decideTrigger } from "./trigger-decision.js";

export const CERTIFICATES_TRIGGER_CONTROLLER = "certificates-trigger";
const FIELD_MANAGER = "claw-certificates-trigger";

export class CertificatesTriggerReconciler implements Reconciler {
  constructor(private readonly opts: CertificatesReconcilerOptions) {}

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const input = gatherCertificate({ name, certificates: this.opts.certificates, readCertificate: this.opts.readCertificate });
    const plan = decideTrigger(input, this.opts.clock.now());
    if (plan.action === "none") return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : {};
    if (!input.certificate) return {};
    // The write brings the key back (Issuing is True then, so it waits for the issuing controller).
    await writeCertificateStatus({ client: this.opts.client, current: input.certificate, status: plan.status, fieldManager: FIELD_MANAGER });
    return {};
  }
}

export function certificatesTriggerController(opts: CertificatesControllerOptions): ControllerFactory {
  return (ctx) => {
    const certificates = ctx.informer<Certificate>(plural);
    const reconciler = new CertificatesTriggerReconciler({ certificates, client: ctx.client, clock: ctx.clock, readCertificate: opts.readCertificate });
    const controller = new Controller({ name: CERTIFICATES_TRIGGER_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, ...workersOption(opts.concurrency, ctx.workers) });
    return watchWithDependents(controller, certificates);
  };
}
