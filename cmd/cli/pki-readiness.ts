// Whether a Certificate the CLI wrote (or asked to renew) is done, still coming, or will not come without
// a person: a pure judgement of one observed object, as an ordered chain of small checks (first wins).

import { findCondition } from "../../api/machinery/conditions.js";
import type { Condition } from "../../api/machinery/meta.js";
import type { Certificate } from "../../api/types/certificate.js";
import { CONDITION_ISSUING, CONDITION_READY, type ReadyReason } from "../../api/types/pki-api.js";

export interface IssueGoal {
  /** The metadata.generation the CLI wrote: a status older than it says nothing yet. */
  generation?: number;
  /** status.revision before a renewal: done only once it is larger. */
  afterRevision?: number;
  /** status.failedIssuanceAttempts when the wait began: more means an issuance failed since. */
  failedAttempts: number;
}

/** Not ready: failed (a person must act) or pending (the controllers are at it), and why. */
export interface Unsettled {
  state: "failed" | "pending";
  /** The Ready reason, or NoStatus, NotObserved or NotRenewed when the check speaks for itself. */
  reason: string;
  message: string;
}

export type Verdict = { state: "ready" } | Unsettled;

/** Ready reasons no retry cures: a person must act. */
const TERMINAL: readonly ReadyReason[] = ["IssuerNotFound", "Revoked", "Failed"];

export const conditionOf = (cert: Certificate, type: string): Condition | undefined => findCondition(cert.status?.conditions, type);

type Check = (cert: Certificate, goal: IssueGoal) => Verdict | undefined;

const CHECKS: readonly Check[] = [
  // A revoked certificate is never issued again.
  (cert) => (cert.spec?.revoked ? { state: "failed", reason: "Revoked", message: `certificate ${cert.metadata.name} is revoked, which cannot be undone; delete it ('claw delete certificate ${cert.metadata.name}') and issue it again` } : undefined),
  // An issuance failed after the wait began: the server retries with backoff, but the message is what a person needs now.
  (cert, goal) => {
    if ((cert.status?.failedIssuanceAttempts ?? 0) <= goal.failedAttempts) return undefined;
    const said = conditionOf(cert, CONDITION_ISSUING) ?? conditionOf(cert, CONDITION_READY);
    return { state: "failed", reason: said?.reason ?? "Failed", message: `${said?.message || "issuance failed"} (the server retries with backoff; 'claw describe certificate ${cert.metadata.name}' shows how it goes)` };
  },
  // The controllers have not looked at what was written yet.
  (cert, goal) => (goal.generation !== undefined && observedGeneration(cert) < goal.generation ? pending(cert, { reason: "NotObserved", message: "the controller has not seen the change yet" }) : undefined),
  // Ready=False for a reason that waiting does not cure.
  (cert) => {
    const ready = conditionOf(cert, CONDITION_READY);
    return ready?.status === "False" && (TERMINAL as readonly string[]).includes(ready.reason) ? { state: "failed", reason: ready.reason, message: ready.message || ready.reason } : undefined;
  },
  // A renewal asked for has not produced a new revision yet.
  (cert, goal) => (goal.afterRevision !== undefined && (cert.status?.revision ?? 0) <= goal.afterRevision ? pending(cert, { reason: "NotRenewed", message: "not renewed yet" }) : undefined),
  (cert) => (conditionOf(cert, CONDITION_ISSUING)?.status === "True" ? pending(cert) : undefined),
  (cert) => (conditionOf(cert, CONDITION_READY)?.status === "True" && cert.status?.certificate ? { state: "ready" } : undefined),
];

export function judgeCertificate(cert: Certificate, goal: IssueGoal): Verdict {
  for (const check of CHECKS) {
    const verdict = check(cert, goal);
    if (verdict) return verdict;
  }
  return pending(cert);
}

/** The generation the status speaks for; a status that does not say is taken as current. */
function observedGeneration(cert: Certificate): number {
  return conditionOf(cert, CONDITION_READY)?.observedGeneration ?? cert.status?.observedGeneration ?? Number.POSITIVE_INFINITY;
}

/** Still coming: why in the check's own words, else the Ready condition's. */
function pending(cert: Certificate, own?: { reason: string; message: string }): Verdict {
  const ready = conditionOf(cert, CONDITION_READY);
  if (!ready) return { state: "pending", reason: "NoStatus", message: "no controller has reported on it yet; is the controller manager running? ('claw server' runs it unless --controllers=false)" };
  if (own) return { state: "pending", ...own };
  return { state: "pending", reason: ready.reason, message: ready.message || `Ready is ${ready.status}` };
}
