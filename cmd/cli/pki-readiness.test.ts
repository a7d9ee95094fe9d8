import { describe, expect, it } from "vitest";
import { judgeCertificate, type IssueGoal } from "./pki-readiness.js";
import { certificateFixture, condition, generation, noStatus, withCondition, withSpec, withStatus, type CertificateModifier } from "./testing/pki-fixture.js";

const fresh: IssueGoal = { generation: 1, failedAttempts: 0 };

describe("judgeCertificate", () => {
  it.each<{ name: string; modifiers: CertificateModifier[]; goal?: IssueGoal; state: string; reason?: string; message?: RegExp }>([
    { name: "is ready when Ready=True, the status is of the generation written and a certificate is there", modifiers: [], state: "ready" },
    { name: "waits, saying no controller reported, when there is no status at all", modifiers: [noStatus], state: "pending", reason: "NoStatus", message: /is the controller manager running/ },
    { name: "waits while the status is of an older generation, even when Ready=True", modifiers: [generation(2)], goal: { generation: 2, failedAttempts: 0 }, state: "pending", reason: "NotObserved" },
    { name: "reads the Ready condition's observedGeneration before the status's", modifiers: [generation(2), withCondition(condition("Ready", "True", "Ready", "", 2))], goal: { generation: 2, failedAttempts: 0 }, state: "ready" },
    { name: "waits while Issuing=True", modifiers: [withCondition(condition("Issuing", "True", "SpecChanged"))], state: "pending", reason: "Ready" },
    { name: "waits with the Ready message while the issuer is not ready", modifiers: [withCondition(condition("Ready", "False", "IssuerNotReady", "issuer clawbernetes-ca is not ready"))], state: "pending", reason: "IssuerNotReady", message: /^issuer clawbernetes-ca is not ready$/ },
    { name: "fails when the issuer does not exist", modifiers: [withCondition(condition("Ready", "False", "IssuerNotFound", 'Certificate "other-ca" not found'))], state: "failed", reason: "IssuerNotFound", message: /other-ca/ },
    { name: "fails for a revoked certificate, saying how to start again", modifiers: [withSpec({ revoked: true })], state: "failed", reason: "Revoked", message: /claw delete certificate gateway/ },
    {
      name: "fails when an issuance failed after the wait began, with the Issuing message",
      modifiers: [withStatus({ failedIssuanceAttempts: 1 }), withCondition(condition("Issuing", "False", "Failed", "the issuer is expired")), withCondition(condition("Ready", "False", "Failed", "x"))],
      state: "failed",
      reason: "Failed",
      message: /^the issuer is expired \(the server retries/,
    },
    { name: "ignores failures from before the wait began", modifiers: [withStatus({ failedIssuanceAttempts: 2 })], goal: { generation: 1, failedAttempts: 2 }, state: "ready" },
    { name: "waits for a renewal until the revision grows", modifiers: [], goal: { afterRevision: 1, failedAttempts: 0 }, state: "pending", reason: "NotRenewed" },
    { name: "is renewed once the revision grew and Ready=True", modifiers: [withStatus({ revision: 2 })], goal: { afterRevision: 1, failedAttempts: 0 }, state: "ready" },
    { name: "is not ready without a certificate in the status", modifiers: [withStatus({ certificate: undefined })], state: "pending", reason: "Ready" },
  ])("$name", ({ modifiers, goal, state, reason, message }) => {
    const verdict = judgeCertificate(certificateFixture(...modifiers), goal ?? fresh);
    expect(verdict.state).toBe(state);
    if (verdict.state === "ready") return;
    if (reason) expect(verdict.reason).toBe(reason);
    if (message) expect(verdict.message).toMatch(message);
  });
});
