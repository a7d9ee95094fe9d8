// certificates-issuing: for a Certificate with Issuing=True, waits for its issuer and any backoff, then asks
// the server to issue (POST certificates/NAME/issue at the revision it saw). The server signs and writes
// the issued status and Issuing=False; a refusal is recorded (failedIssuanceAttempts, lastFailureTime and
// the server's words in the Issuing message) and retried after an exponential backoff.

import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import { isApiError, isNotFound, type ApiError } from "../../api/machinery/errors.js";
import { plural, type Certificate } from "../../api/types/certificate.js";
import { pkiPaths } from "../../api/types/pki-api.js";
import type { BackoffPolicy } from "../runtime/backoff.js";
import { Controller, workersOption, type ReconcileRequest, type ReconcileResult, type Reconciler } from "../runtime/controller.js";
import type { Informer } from "../runtime/informer.js";
import type { ManagerContext } from "../runtime/manager.js";
import { gatherCertificate } from "./certificate-input.js";
import { writeCertificateStatus } from "./certificate-status.js";
import { watchWithDependents } from "./dependents.js";
import { decideIssuing, ISSUANCE_BACKOFF, recordFailure } from "./issuing-decision.js";

export const CERTIFICATES_ISSUING_CONTROLLER = "certificates-issuing";
const FIELD_MANAGER = "claw-certificates-issuing";

export class CertificatesIssuingReconciler implements Reconciler {
  constructor(private readonly opts: { certificates: Informer<Certificate>; client: RestClient; clock: Clock; backoff?: BackoffPolicy }) {}

  async reconcile({ name }: ReconcileRequest): Promise<ReconcileResult> {
    const { client, clock } = this.opts;
    const input = gatherCertificate({ name, certificates: this.opts.certificates });
    const plan = decideIssuing(input, clock.now(), this.opts.backoff);
    const certificate = input.certificate;
    if (plan.action === "none" || !certificate) return {};
    if (plan.action === "backoff") return { requeueAfterMs: plan.requeueAfterMs };
    if (plan.action === "wait") {
      await writeCertificateStatus({ client, current: certificate, status: plan.status, fieldManager: FIELD_MANAGER });
      return {};
    }
    try {
      // The server's write (Issuing=False, the issued fields) brings the key back.
      await client.requestJson<Certificate>({ method: "POST", path: pkiPaths.issue(name), body: plan.request });
      return {};
    } catch (err) {
      if (isNotFound(err)) return {};
      if (!isRefusal(err)) throw err;
      const failure = recordFailure({ certificate, message: err.message, now: clock.now(), backoff: this.opts.backoff ?? ISSUANCE_BACKOFF });
      // Not written when the object moved meanwhile (another issuance won): its event decides again.
      const written = await writeCertificateStatus({ client, current: certificate, status: failure.status, fieldManager: FIELD_MANAGER });
      return written ? { requeueAfterMs: failure.requeueAfterMs } : {};
    }
  }
}

/** The server refused this request (409 issuer not ready, 403, 422…): worth recording; a timeout, throttling or 5xx is retried. */
const isRefusal = (err: unknown): err is ApiError => isApiError(err) && err.code >= 400 && err.code < 500 && ![408, 429].includes(err.code);

export function certificatesIssuingController(ctx: ManagerContext, opts: { concurrency?: number; backoff?: BackoffPolicy } = {}): Controller {
  const certificates = ctx.informer<Certificate>(plural);
  const reconciler = new CertificatesIssuingReconciler({ certificates, client: ctx.client, clock: ctx.clock, ...(opts.backoff ? { backoff: opts.backoff } : {}) });
  const controller = new Controller({ name: CERTIFICATES_ISSUING_CONTROLLER, reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, ...workersOption(opts.concurrency, ctx.workers) });
  return watchWithDependents(controller, certificates);
}
