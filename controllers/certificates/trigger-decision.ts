// The trigger's decision, pure: whether a Certificate must be issued now, and why. It never signs: it sets
// Issuing=True with the reason, and the issuing controller does the rest. When nothing is due it wakes
// exactly when renewal falls due. A certificate whose key its node holds (source CSR) is never triggered: the
// node agent renews it by CSR.

import { toRfc3339 } from "../../api/machinery/clock.js";
import { isConditionTrue, setCondition } from "../../api/machinery/conditions.js";
import type { CertificateStatus } from "../../api/types/certificate.js";
import { renewalTimeOf } from "../../api/types/certificate-defaults.js";
import { CONDITION_ISSUING, type IssueReason } from "../../api/types/pki-api.js";
import { generationOf, keyHeldByHolder, liveInput, type CertificateInput, type CheckInput } from "./certificate-input.js";
import { validityOf } from "./issued-certificate.js";
import { firstFiring, type PolicyCheck } from "./policy-chain.js";
import { endsWithIssuer, specMismatch, TIME_SLACK_MS } from "./spec-match.js";

export type TriggerPlan =
  | { action: "none"; requeueAfterMs?: number }
  /** Write `status` (Issuing=True with `reason`), so the issuing controller issues. */
  | { action: "trigger"; reason: IssueReason; message: string; status: CertificateStatus };

/** The reasons to issue, in order; the first that fires names the Issuing condition's reason. */
export const TRIGGER_CHECKS: readonly (PolicyCheck<CheckInput, string> & { name: IssueReason })[] = [
  // Never issued: nothing in status.certificate.
  { name: "DoesNotExist", check: ({ certificate }) => (certificate.status?.certificate ? undefined : "the certificate has not been issued yet") },
  // The issued certificate no longer says what the spec asks.
  { name: "SpecChanged", check: ({ spec, certificate, issued, issuer }) => (issued ? specMismatch({ spec, status: certificate.status, issued, issuer }) : undefined) },
  // The CA that signs it has a new certificate since: sign again under the new one.
  { name: "IssuerRenewed", check: issuerRenewed },
  // Past notAfter.
  { name: "Expired", check: expiredAt },
  // Past the renewal time (unless the certificate already ends with its CA, so renewing could not extend it).
  { name: "Renewing", check: renewingSince },
];

export function decideTrigger(input: CertificateInput, now: number): TriggerPlan {
  const live = liveInput(input, now);
  // Gone or going: nothing to issue.
  if (!live) return { action: "none" };
  const { certificate } = live;
  // A revoked certificate is never issued again.
  if (live.spec.revoked) return { action: "none" };
  // Its key is its node's: the node agent issues and renews it by CSR, the server never does on its own.
  if (keyHeldByHolder(live.spec)) return { action: "none" };
  // Already asked for: the issuing controller's write (or its failure) brings the key back.
  if (isConditionTrue(certificate.status?.conditions, CONDITION_ISSUING)) return { action: "none" };
  const fired = firstFiring(TRIGGER_CHECKS, live);
  if (!fired) {
    const wakeAt = nextDue(live);
    return { action: "none", ...(wakeAt !== undefined ? { requeueAfterMs: wakeAt - now } : {}) };
  }
  const reason = fired.name as IssueReason;
  const conditions = setCondition(certificate.status?.conditions, { type: CONDITION_ISSUING, status: "True", reason, message: fired.result, ...generationOf(certificate) }, toRfc3339(now));
  return { action: "trigger", reason, message: fired.result, status: { conditions } };
}

/** When renewal falls due: status.renewalTime, or earlier when spec.renewBefore (changed since) asks for earlier. */
export function renewalDueAt(input: CheckInput): number | undefined {
  const { certificate, spec, issued } = input;
  const validity = validityOf(certificate.status, issued);
  const recorded = Date.parse(certificate.status?.renewalTime ?? "");
  let asked = Number.NaN;
  if (validity) {
    try {
      asked = renewalTimeOf(spec, validity.notBeforeMs, validity.notAfterMs);
    } catch {
      // An unreadable renewBefore (admission refuses it): keep the recorded time.
    }
  }
  if (Number.isNaN(recorded)) return Number.isNaN(asked) ? undefined : asked;
  // The recorded time wins unless the spec now asks for earlier, beyond the second the times are kept to.
  return asked < recorded - TIME_SLACK_MS ? asked : recorded;
}

function issuerRenewed({ certificate, spec, issuer }: CheckInput): string | undefined {
  const signedBy = certificate.status?.issuerSerialNumber;
  const current = issuer?.status?.serialNumber;
  if (!spec.issuerRef || !signedBy || !current || signedBy === current) return undefined;
  return `issuer "${spec.issuerRef.name}" was renewed (serial ${current}); the certificate was signed by serial ${signedBy}`;
}

function expiredAt({ certificate, issued, now }: CheckInput): string | undefined {
  const validity = validityOf(certificate.status, issued);
  return validity && now >= validity.notAfterMs ? `the certificate expired at ${toRfc3339(validity.notAfterMs)}` : undefined;
}

function renewingSince(input: CheckInput): string | undefined {
  const dueAt = renewalDueAt(input);
  if (dueAt === undefined || input.now < dueAt || endsWithItsIssuer(input)) return undefined;
  return `the certificate is due for renewal since ${toRfc3339(dueAt)}`;
}

function endsWithItsIssuer({ certificate, issued, issuer }: CheckInput): boolean {
  const validity = validityOf(certificate.status, issued);
  return validity !== undefined && endsWithIssuer({ status: certificate.status, issuer, notAfterMs: validity.notAfterMs });
}

/** The next time a check can fire by the clock alone: renewal, or expiry when renewal cannot help. */
function nextDue(input: CheckInput): number | undefined {
  const dueAt = renewalDueAt(input);
  if (dueAt !== undefined && dueAt > input.now && !endsWithItsIssuer(input)) return dueAt;
  const notAfterMs = validityOf(input.certificate.status, input.issued)?.notAfterMs;
  return notAfterMs !== undefined && notAfterMs > input.now ? notAfterMs : undefined;
}
