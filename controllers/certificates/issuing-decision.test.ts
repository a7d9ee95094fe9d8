import { describe, expect, it } from "vitest";
import { toRfc3339 } from "../../api/machinery/clock.js";
import { findCondition } from "../../api/machinery/conditions.js";
import type { Certificate } from "../../api/types/certificate.js";
import { CONDITION_ISSUING, CONDITION_READY } from "../../api/types/pki-api.js";
import { decideIssuing, ISSUANCE_BACKOFF, ISSUING_CHECKS, recordFailure, type IssuingPlan } from "./issuing-decision.js";
import { certificate, condition, DAY, deleting, HOUR, inputOf, issue, issuing, ISSUED_AT, LEAF_SPEC, modify, ready, readyRoot, revoked, withSpec, withStatus, type Modifier } from "./testing/certificate-fixtures.js";

const ROOT = readyRoot();
const MINUTE = 60_000;
const leaf = (...mods: Modifier[]) => certificate("gateway", LEAF_SPEC, ...mods);
const root = (...mods: Modifier[]) => modify(ROOT.certificate, ...mods);
const failedAt = (attempts: number, at = ISSUED_AT): Modifier => withStatus({ failedIssuanceAttempts: attempts, lastFailureTime: toRfc3339(at) });
const decide = (cert: Certificate | undefined, issuer: Certificate | undefined, now = ISSUED_AT) => decideIssuing(inputOf(cert, issuer), now);
const messageOf = (plan: IssuingPlan) => (plan.action === "wait" ? findCondition(plan.status.conditions, CONDITION_ISSUING)?.message : undefined);

describe("decideIssuing", () => {
  it("checks in order, the last always firing", () => {
    expect(ISSUING_CHECKS.map((c) => c.name)).toEqual(["NotRequested", "Revoked", "KeyHeldByNode", "IssuerNotFound", "IssuerNotCA", "IssuerNotReady", "BackingOff", "Issue"]);
  });

  it.each<[string, Certificate | undefined]>([
    ["does nothing for a certificate that is gone", undefined],
    ["does nothing for a certificate being deleted", leaf(issuing(), deleting)],
    ["does nothing for a certificate nobody asked to issue", leaf()],
    ["does nothing once the server has issued it (Issuing False)", issue(leaf(issuing()), { issuer: ROOT }).certificate],
    ["never issues a revoked certificate, even with Issuing True", leaf(issuing("ManuallyTriggered"), revoked)],
    ["never asks the server to issue a CSR certificate, even with Issuing True: its node holds the key", leaf(issuing("DoesNotExist"), withSpec({ privateKey: { source: "CSR" } }))],
  ])("%s", (_name, cert) => {
    expect(decide(cert, ROOT.certificate)).toEqual({ action: "none" });
  });

  it.each<[string, Certificate, Certificate | undefined, IssuingPlan]>([
    ["issues a leaf whose issuer is Ready, at revision 0, saying why", leaf(issuing("DoesNotExist")), ROOT.certificate, { action: "issue", request: { reason: "DoesNotExist", expectedRevision: 0 } }],
    ["issues a root CA, which has no issuer to check", certificate("root", { isCA: true, commonName: "Root" }, issuing("DoesNotExist")), undefined, { action: "issue", request: { reason: "DoesNotExist", expectedRevision: 0 } }],
    ["renews at the revision it saw, so two issuances never both win", modify(issue(leaf(), { issuer: ROOT }).certificate, issuing("Renewing")), ROOT.certificate, { action: "issue", request: { reason: "Renewing", expectedRevision: 1 } }],
    ["passes a manual renewal's reason on", modify(issue(leaf(), { issuer: ROOT }).certificate, issuing("ManuallyTriggered")), ROOT.certificate, { action: "issue", request: { reason: "ManuallyTriggered", expectedRevision: 1 } }],
    ["leaves out a reason the server does not know", leaf(issuing("SomethingElse")), ROOT.certificate, { action: "issue", request: { expectedRevision: 0 } }],
    ["retries once the backoff after a failure has passed, to the second", leaf(issuing(), failedAt(1)), ROOT.certificate, { action: "issue", request: { reason: "DoesNotExist", expectedRevision: 0 } }],
  ])("%s", (_name, cert, issuer, plan) => {
    expect(decide(cert, issuer, cert.status?.failedIssuanceAttempts ? ISSUED_AT + MINUTE : ISSUED_AT)).toEqual(plan);
  });

  it.each<[string, Certificate | undefined, string]>([
    ["waits for an issuer that does not exist, naming it", undefined, 'waiting: issuer "ca" does not exist; create it or name another CA in spec.issuerRef'],
    ["waits for an issuer being deleted as for one that does not exist", root(deleting), 'waiting: issuer "ca" does not exist; create it or name another CA in spec.issuerRef'],
    ["waits for an issuer that is not a CA", root(withSpec({ isCA: false })), 'waiting: issuer "ca" is not a CA (its spec.isCA is false); name a CA in spec.issuerRef'],
    ["waits for an issuer that is revoked", root(revoked), 'waiting: issuer "ca" is revoked; name another CA in spec.issuerRef'],
    ["waits for an issuer not issued yet", certificate("ca", { isCA: true, commonName: "CA" }, issuing()), 'waiting: issuer "ca" has not been issued yet'],
    ["waits for an issuer that has expired", root(withStatus({ notAfter: toRfc3339(ISSUED_AT) })), 'waiting: issuer "ca" expired at 2026-03-01T12:00:00Z'],
    ["waits for an issuer that is not Ready", root(condition(CONDITION_READY, "False", "SpecMismatch", "the issued certificate is not a CA")), 'waiting: issuer "ca" is not Ready (SpecMismatch: the issued certificate is not a CA)'],
    ["waits for an issuer whose readiness is not known yet", modify(issue(certificate("ca", { isCA: true, commonName: "CA" })).certificate), 'waiting: issuer "ca" is not Ready yet'],
  ])("%s", (_name, issuer, message) => {
    const plan = decide(leaf(issuing("DoesNotExist"), ready), issuer);
    expect(plan.action).toBe("wait");
    expect(messageOf(plan)).toBe(message);
    // Issuing stays True with the reason that asked for it; the other conditions stay as they are.
    expect(plan.action === "wait" && findCondition(plan.status.conditions, CONDITION_ISSUING)).toMatchObject({ status: "True", reason: "DoesNotExist" });
    expect(plan.action === "wait" && findCondition(plan.status.conditions, CONDITION_READY)).toMatchObject({ status: "True" });
    expect(plan.action === "wait" && Object.keys(plan.status)).toEqual(["conditions"]);
  });

  it.each<[string, number, number, number]>([
    ["backs off a minute after the first failure", 1, ISSUED_AT + 1000, MINUTE - 1000],
    ["doubles the backoff after each further failure", 3, ISSUED_AT, 4 * MINUTE],
    ["caps the backoff at an hour", 12, ISSUED_AT + 10 * MINUTE, HOUR - 10 * MINUTE],
  ])("%s", (_name, attempts, now, requeueAfterMs) => {
    expect(decide(leaf(issuing(), failedAt(attempts)), ROOT.certificate, now)).toEqual({ action: "backoff", requeueAfterMs });
  });

  it("waits for a missing issuer before backing off, so the message says what is wrong", () => {
    expect(decide(leaf(issuing(), failedAt(2)), undefined).action).toBe("wait");
  });
});

describe("recordFailure", () => {
  it("counts the failure, stamps its time and puts the server's words in Issuing, keeping it True with its reason", () => {
    const cert = leaf(issuing("Renewing"), ready);
    const { status, requeueAfterMs } = recordFailure({ certificate: cert, message: 'certificate "gateway" cannot be issued: the private key of its issuer "ca" is missing from the store', now: ISSUED_AT + 500 });
    expect(status.failedIssuanceAttempts).toBe(1);
    expect(status.lastFailureTime).toBe("2026-03-01T12:00:00Z");
    expect(findCondition(status.conditions, CONDITION_ISSUING)).toMatchObject({
      status: "True",
      reason: "Renewing",
      message: 'issuance failed (attempt 1): certificate "gateway" cannot be issued: the private key of its issuer "ca" is missing from the store; retrying at 2026-03-01T12:01:00Z',
    });
    expect(findCondition(status.conditions, CONDITION_READY)).toEqual(findCondition(cert.status?.conditions, CONDITION_READY));
    // Counted from the whole second kept in lastFailureTime, as the backoff check counts.
    expect(requeueAfterMs).toBe(MINUTE - 500);
  });

  it("adds to earlier failures and backs off longer", () => {
    const { status, requeueAfterMs } = recordFailure({ certificate: leaf(issuing(), failedAt(4, ISSUED_AT - DAY)), message: "no", now: ISSUED_AT });
    expect(status.failedIssuanceAttempts).toBe(5);
    expect(requeueAfterMs).toBe(16 * MINUTE);
  });

  it("agrees with the backoff check: the retry it schedules is exactly when issuing resumes", () => {
    const { status, requeueAfterMs } = recordFailure({ certificate: leaf(issuing()), message: "no", now: ISSUED_AT + 250, backoff: ISSUANCE_BACKOFF });
    const after = leaf(issuing(), withStatus(status));
    expect(decide(after, ROOT.certificate, ISSUED_AT + 250 + requeueAfterMs - 1).action).toBe("backoff");
    expect(decide(after, ROOT.certificate, ISSUED_AT + 250 + requeueAfterMs).action).toBe("issue");
  });
});
