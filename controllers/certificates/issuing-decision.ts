// The issuing controller's decision, pure: for a Certificate whose Issuing condition is True, whether to
// call the issue endpoint now, wait for its issuer, or wait out the backoff after failed attempts. The
// server signs and writes the issued status itself; a failure is recorded here and retried after backoff.

import { toRfc3339 } from "../../api/machinery/clock.js";
import { findCondition, setCondition } from "../../api/machinery/conditions.js";
import type { Condition } from "../../api/machinery/meta.js";
import type { Certificate, CertificateStatus } from "../../api/types/certificate.js";
import { CONDITION_ISSUING, ISSUE_REASONS, type IssueReason, type IssueRequest } from "../../api/types/pki-api.js";
import { backoffDelay, type BackoffPolicy } from "../runtime/backoff.js";
import { generationOf, keyHeldByHolder, liveInput, type CertificateInput, type CheckInput } from "./certificate-input.js";
import { issuerStateOf } from "./issuer-state.js";
import { firstFiring, type PolicyCheck } from "./policy-chain.js";

/** After the n-th failure in a row: 1 min, 2, 4, … capped at 1 h (cert-manager caps its own too). */
export const ISSUANCE_BACKOFF: BackoffPolicy = { baseMs: 60_000, maxMs: 3_600_000 };

export type IssuingPlan =
  | { action: "none" }
  /** Say in the Issuing condition what issuance waits for; the issuer's change brings the key back. */
  | { action: "wait"; message: string; status: CertificateStatus }
  | { action: "backoff"; requeueAfterMs: number }
  | { action: "issue"; request: IssueRequest };

export interface IssuingCheckInput extends CheckInput {
  backoff: BackoffPolicy;
}

/** The checks, in order; the last always fires. */
export const ISSUING_CHECKS: readonly PolicyCheck<IssuingCheckInput, IssuingPlan>[] = [
  // Nothing asked for issuance.
  { name: "NotRequested", check: ({ certificate }) => (findCondition(certificate.status?.conditions, CONDITION_ISSUING)?.status === "True" ? undefined : { action: "none" }) },
  // A revoked certificate is never issued again, whatever asked for it.
  { name: "Revoked", check: ({ spec }) => (spec.revoked ? { action: "none" } : undefined) },
  // Its key is its node's: the server refuses to issue it (the node agent does it by CSR), so never ask.
  { name: "KeyHeldByNode", check: ({ spec }) => (keyHeldByHolder(spec) ? { action: "none" } : undefined) },
  // The issuer does not exist (a root has none to check).
  { name: "IssuerNotFound", check: (input) => waitFor(input, "missing") },
  // The issuer is not a CA.
  { name: "IssuerNotCA", check: (input) => waitFor(input, "notCA") },
  // The issuer is revoked, not issued yet, expired or not Ready.
  { name: "IssuerNotReady", check: (input) => waitFor(input, "notReady") },
  // Failed recently: wait out the backoff, counted from the last failure.
  { name: "BackingOff", check: backingOff },
  // Everything is in place: ask the server to issue, at the revision this decision saw.
  { name: "Issue", check: ({ certificate }) => ({ action: "issue", request: issueRequest(certificate) }) },
];

export function decideIssuing(input: CertificateInput, now: number, backoff: BackoffPolicy = ISSUANCE_BACKOFF): IssuingPlan {
  const live = liveInput(input, now);
  // Gone or going: nothing to issue.
  if (!live) return { action: "none" };
  return firstFiring(ISSUING_CHECKS, { ...live, backoff })?.result ?? { action: "none" };
}

/** The status after the issue endpoint refused: one more failure, and when the next attempt comes. */
export function recordFailure(opts: { certificate: Certificate; message: string; now: number; backoff?: BackoffPolicy }): { status: CertificateStatus; requeueAfterMs: number } {
  const { certificate, now } = opts;
  const attempts = (certificate.status?.failedIssuanceAttempts ?? 0) + 1;
  // lastFailureTime keeps whole seconds: count from there, as the backoff check will.
  const failedAt = Date.parse(toRfc3339(now));
  const retryAt = failedAt + backoffDelay(opts.backoff ?? ISSUANCE_BACKOFF, attempts);
  const conditions = stillIssuing(certificate, `issuance failed (attempt ${attempts}): ${opts.message}; retrying at ${toRfc3339(retryAt)}`, now);
  return { status: { failedIssuanceAttempts: attempts, lastFailureTime: toRfc3339(now), conditions }, requeueAfterMs: Math.max(0, retryAt - now) };
}

/** The conditions with Issuing still True, with the reason that asked for it, and a new message. */
function stillIssuing(certificate: Certificate, message: string, now: number): Condition[] {
  const reason = findCondition(certificate.status?.conditions, CONDITION_ISSUING)?.reason ?? "DoesNotExist";
  return setCondition(certificate.status?.conditions, { type: CONDITION_ISSUING, status: "True", reason, message, ...generationOf(certificate) }, toRfc3339(now));
}

function waitFor(input: IssuingCheckInput, kind: "missing" | "notCA" | "notReady"): IssuingPlan | undefined {
  const state = issuerStateOf(input);
  if (state.kind !== kind) return undefined;
  const message = `waiting: ${state.message}`;
  // Issuing stays True; only its message says what issuance waits for.
  return { action: "wait", message, status: { conditions: stillIssuing(input.certificate, message, input.now) } };
}

function backingOff({ certificate, now, backoff }: IssuingCheckInput): IssuingPlan | undefined {
  const attempts = certificate.status?.failedIssuanceAttempts ?? 0;
  const lastFailure = Date.parse(certificate.status?.lastFailureTime ?? "");
  if (attempts <= 0 || Number.isNaN(lastFailure)) return undefined;
  const retryAt = lastFailure + backoffDelay(backoff, attempts);
  return now < retryAt ? { action: "backoff", requeueAfterMs: retryAt - now } : undefined;
}

function issueRequest(certificate: Certificate): IssueRequest {
  const reason = findCondition(certificate.status?.conditions, CONDITION_ISSUING)?.reason;
  return { ...(isIssueReason(reason) ? { reason } : {}), expectedRevision: certificate.status?.revision ?? 0 };
}

const isIssueReason = (reason: string | undefined): reason is IssueReason => (ISSUE_REASONS as readonly (string | undefined)[]).includes(reason);
