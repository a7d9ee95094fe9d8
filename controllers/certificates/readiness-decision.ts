// The readiness decision, pure: the Ready condition and status.observedGeneration from the Certificate, its
// issued certificate and its issuer. It wakes exactly at notAfter, so expiry turns Ready False on time. A
// certificate whose key its node holds (source CSR) reads the same way: Ready from its dates until it expires,
// past its renewal time too, for renewing it is its node's.

import { toRfc3339 } from "../../api/machinery/clock.js";
import { findCondition, setCondition } from "../../api/machinery/conditions.js";
import type { CertificateStatus } from "../../api/types/certificate.js";
import { CONDITION_ISSUING, CONDITION_READY, type ReadyReason } from "../../api/types/pki-api.js";
import { generationOf, keyHeldByHolder, liveInput, type CertificateInput, type CheckInput } from "./certificate-input.js";
import { validityOf } from "./issued-certificate.js";
import { issuerStateOf, type IssuerState } from "./issuer-state.js";
import { firstFiring, type PolicyCheck } from "./policy-chain.js";
import { specMismatch } from "./spec-match.js";

export interface ReadyVerdict {
  status: "True" | "False";
  message: string;
}

export type ReadinessPlan =
  | { action: "none" }
  | { action: "writeStatus"; reason: ReadyReason; status: CertificateStatus; requeueAfterMs?: number };

/** The checks, in order; the first that fires names the Ready condition's reason. The last always fires. */
export const READINESS_CHECKS: readonly (PolicyCheck<CheckInput, ReadyVerdict> & { name: ReadyReason })[] = [
  // Revoked: refused in mTLS from then on, for good.
  { name: "Revoked", check: revoked },
  // The CA it names does not exist.
  { name: "IssuerNotFound", check: (input) => issuerProblem(input, ["missing"]) },
  // Not issued yet, and its CA cannot sign it yet.
  { name: "IssuerNotReady", check: (input) => (issuedPem(input) ? undefined : issuerProblem(input, ["notCA", "notReady"])) },
  // Not issued yet, and the last attempts failed: say why.
  { name: "Failed", check: failed },
  // Not issued yet, and issuance is under way.
  { name: "Issuing", check: (input) => (!issuedPem(input) && issuing(input) ? notReady(`the certificate is being issued: ${issuing(input)?.message ?? ""}`) : undefined) },
  // Not issued yet.
  { name: "DoesNotExist", check: (input) => (issuedPem(input) ? undefined : notReady(`the certificate has not been issued yet${keyHeldByHolder(input.spec) ? NODE_ISSUES : ""}`)) },
  // Past notAfter.
  { name: "Expired", check: expired },
  // The issued certificate no longer says what the spec asks (the trigger has it issued again, or its node's next CSR).
  { name: "SpecMismatch", check: mismatch },
  // Issued, current and matching.
  { name: "Ready", check: ({ certificate, spec, issued }) => ({ status: "True", message: `${readyMessage(validityOf(certificate.status, issued)?.notAfterMs)}${keyHeldByHolder(spec) ? NODE_RENEWS : ""}` }) },
];

export function decideReadiness(input: CertificateInput, now: number): ReadinessPlan {
  const live = liveInput(input, now);
  // Gone or going: no status worth writing.
  if (!live) return { action: "none" };
  const fired = firstFiring(READINESS_CHECKS, live);
  if (!fired) return { action: "none" };
  const reason = fired.name as ReadyReason;
  const { certificate } = live;
  const conditions = setCondition(certificate.status?.conditions, { type: CONDITION_READY, status: fired.result.status, reason, message: fired.result.message, ...generationOf(certificate) }, toRfc3339(now));
  const status: CertificateStatus = { ...generationOf(certificate), conditions };
  // Wake exactly at expiry, unless revocation already settled it.
  const notAfterMs = validityOf(certificate.status, live.issued)?.notAfterMs;
  const wake = !live.spec.revoked && notAfterMs !== undefined && notAfterMs > now ? { requeueAfterMs: notAfterMs - now } : {};
  return { action: "writeStatus", reason, status, ...wake };
}

const notReady = (message: string): ReadyVerdict => ({ status: "False", message });
const NODE_ISSUES = "; its key is held by its node, whose agent sends a CSR when it joins";
const NODE_RENEWS = "; its node renews it by CSR before renewalTime";
const NODE_REISSUES = "; its node's next CSR issues it again";
const issuedPem = ({ certificate }: CheckInput) => certificate.status?.certificate;
/** The Issuing condition while True. */
const issuing = ({ certificate }: CheckInput) => {
  const condition = findCondition(certificate.status?.conditions, CONDITION_ISSUING);
  return condition?.status === "True" ? condition : undefined;
};

function revoked({ spec, certificate }: CheckInput): ReadyVerdict | undefined {
  if (!spec.revoked) return undefined;
  const why = spec.revocationReason ? ` (${spec.revocationReason})` : "";
  const since = certificate.status?.revokedAt ? ` since ${certificate.status.revokedAt}` : "";
  return notReady(`the certificate is revoked${why}${since}; create a new Certificate to replace it`);
}

function issuerProblem(input: CheckInput, kinds: readonly IssuerState["kind"][]): ReadyVerdict | undefined {
  const state = issuerStateOf(input);
  return kinds.includes(state.kind) && "message" in state ? notReady(state.message) : undefined;
}

function failed(input: CheckInput): ReadyVerdict | undefined {
  if (issuedPem(input) || !((input.certificate.status?.failedIssuanceAttempts ?? 0) > 0)) return undefined;
  return notReady(issuing(input)?.message || "issuance failed");
}

function expired({ certificate, issued, now }: CheckInput): ReadyVerdict | undefined {
  const validity = validityOf(certificate.status, issued);
  return validity && now >= validity.notAfterMs ? notReady(`the certificate expired at ${toRfc3339(validity.notAfterMs)}`) : undefined;
}

function mismatch({ spec, certificate, issued, issuer }: CheckInput): ReadyVerdict | undefined {
  const difference = issued && specMismatch({ spec, status: certificate.status, issued, issuer });
  return difference ? notReady(`${difference}${keyHeldByHolder(spec) ? NODE_REISSUES : ""}`) : undefined;
}

const readyMessage = (notAfterMs: number | undefined) => (notAfterMs !== undefined ? `the certificate is valid until ${toRfc3339(notAfterMs)}` : "the certificate is issued");
