import { describe, expect, it } from "vitest";
import { toRfc3339 } from "../../api/machinery/clock.js";
import { findCondition } from "../../api/machinery/conditions.js";
import type { Certificate } from "../../api/types/certificate.js";
import { CONDITION_ISSUING, CONDITION_READY } from "../../api/types/pki-api.js";
import { generatePrivateKey } from "../../api/pki/private-key.js";
import { decideReadiness, READINESS_CHECKS, type ReadinessPlan } from "./readiness-decision.js";
import { certificate, condition, DAY, deleting, generation, HOUR, inputOf, issue, issuing, ISSUED_AT, LEAF_SPEC, modify, ready, readyRoot, revoked, withSpec, withStatus, type Modifier } from "./testing/certificate-fixtures.js";

const ROOT = readyRoot();
const EXPIRY = ISSUED_AT + 90 * DAY;
const leaf = (...mods: Modifier[]) => certificate("gateway", LEAF_SPEC, ...mods);
const issued = (...mods: Modifier[]) => modify(issue(leaf(), { issuer: ROOT }).certificate, ...mods);
const root = (...mods: Modifier[]) => modify(ROOT.certificate, ...mods);
/** A node's certificate, issued for its own Ed25519 key (the spec's default is ECDSA): the node chose it. */
const CSR: Modifier = withSpec({ privateKey: { source: "CSR" } });
const nodeIssued = (...mods: Modifier[]) => modify(issue(leaf(CSR), { issuer: ROOT, keyPem: generatePrivateKey({ algorithm: "Ed25519" }) }).certificate, ...mods);
const decide = (cert: Certificate | undefined, issuer: Certificate | undefined, now = ISSUED_AT) => decideReadiness(inputOf(cert, issuer), now);
const readyOf = (plan: ReadinessPlan) => (plan.action === "writeStatus" && findCondition(plan.status.conditions, CONDITION_READY)) || expect.fail(`expected a Ready condition to write, got ${plan.action}`);

describe("decideReadiness", () => {
  it("checks in order, the last always firing", () => {
    expect(READINESS_CHECKS.map((c) => c.name)).toEqual(["Revoked", "IssuerNotFound", "IssuerNotReady", "Failed", "Issuing", "DoesNotExist", "Expired", "SpecMismatch", "Ready"]);
  });

  it.each<[string, Certificate | undefined]>([
    ["does nothing for a certificate that is gone", undefined],
    ["does nothing for a certificate being deleted", issued(deleting)],
  ])("%s", (_name, cert) => {
    expect(decide(cert, ROOT.certificate)).toEqual({ action: "none" });
  });

  it.each<[string, Certificate, Certificate | undefined, number, [string, string, string]]>([
    ["a revoked certificate is not Ready because it is revoked, for good", issued(revoked, withStatus({ revokedAt: "2026-03-02T00:00:00Z" })), ROOT.certificate, ISSUED_AT + DAY, ["False", "Revoked", "the certificate is revoked (keyCompromise) since 2026-03-02T00:00:00Z; create a new Certificate to replace it"]],
    ["a leaf whose issuer does not exist is not Ready, naming the issuer", leaf(issuing()), undefined, ISSUED_AT, ["False", "IssuerNotFound", 'issuer "ca" does not exist; create it or name another CA in spec.issuerRef']],
    ["an issued leaf whose issuer was deleted is not Ready either", issued(), undefined, ISSUED_AT, ["False", "IssuerNotFound", 'issuer "ca" does not exist; create it or name another CA in spec.issuerRef']],
    ["a leaf not issued yet whose issuer is not a CA is not Ready", leaf(issuing()), root(withSpec({ isCA: false })), ISSUED_AT, ["False", "IssuerNotReady", 'issuer "ca" is not a CA (its spec.isCA is false); name a CA in spec.issuerRef']],
    ["a leaf not issued yet whose issuer is not issued yet is not Ready", leaf(issuing()), certificate("ca", { isCA: true, commonName: "CA" }), ISSUED_AT, ["False", "IssuerNotReady", 'issuer "ca" has not been issued yet']],
    ["a leaf not issued yet after failed attempts is not Ready, with the server's words", leaf(issuing("DoesNotExist", "issuance failed (attempt 2): no key; retrying at 2026-03-01T12:02:00Z"), withStatus({ failedIssuanceAttempts: 2, lastFailureTime: toRfc3339(ISSUED_AT) })), ROOT.certificate, ISSUED_AT, ["False", "Failed", "issuance failed (attempt 2): no key; retrying at 2026-03-01T12:02:00Z"]],
    ["a leaf being issued is not Ready yet, saying so", leaf(issuing("DoesNotExist", "the certificate has not been issued yet")), ROOT.certificate, ISSUED_AT, ["False", "Issuing", "the certificate is being issued: the certificate has not been issued yet"]],
    ["a leaf nobody has asked to issue yet does not exist", leaf(), ROOT.certificate, ISSUED_AT, ["False", "DoesNotExist", "the certificate has not been issued yet"]],
    ["a root CA not issued yet does not exist (it has no issuer to wait for)", certificate("root", { isCA: true, commonName: "Root" }), undefined, ISSUED_AT, ["False", "DoesNotExist", "the certificate has not been issued yet"]],
    ["an issued certificate is not Ready at the very instant it expires", issued(), ROOT.certificate, EXPIRY, ["False", "Expired", "the certificate expired at 2026-05-30T12:00:00Z"]],
    ["an issued certificate whose spec changed is not Ready until issued again", issued(withSpec({ dnsNames: ["api.example.com"] })), ROOT.certificate, ISSUED_AT, ["False", "SpecMismatch", "the issued certificate has DNS names [gateway.example.com]; spec.dnsNames asks for [api.example.com]"]],
    ["an issued certificate is Ready, giving its expiry", issued(), ROOT.certificate, ISSUED_AT, ["True", "Ready", "the certificate is valid until 2026-05-30T12:00:00Z"]],
    ["an issued certificate stays Ready while it is being renewed", issued(issuing("Renewing")), ROOT.certificate, ISSUED_AT + 60 * DAY, ["True", "Ready", "the certificate is valid until 2026-05-30T12:00:00Z"]],
    ["an issued certificate stays Ready after a failed renewal, while it is valid", issued(issuing("Renewing", "issuance failed"), withStatus({ failedIssuanceAttempts: 1, lastFailureTime: toRfc3339(ISSUED_AT) })), ROOT.certificate, ISSUED_AT, ["True", "Ready", "the certificate is valid until 2026-05-30T12:00:00Z"]],
    ["an issued certificate stays Ready while its issuer is renewing", issued(), root(condition(CONDITION_ISSUING, "True", "Renewing")), ISSUED_AT, ["True", "Ready", "the certificate is valid until 2026-05-30T12:00:00Z"]],
    ["a root CA is Ready once issued", ROOT.certificate, undefined, ISSUED_AT, ["True", "Ready", "the certificate is valid until 2036-02-27T12:00:00Z"]],
    ["a CSR certificate not issued yet does not exist, waiting for its node's CSR", leaf(CSR), ROOT.certificate, ISSUED_AT, ["False", "DoesNotExist", "the certificate has not been issued yet; its key is held by its node, whose agent sends a CSR when it joins"]],
    ["an issued CSR certificate is Ready with its node's key of whatever kind, saying its node renews it", nodeIssued(), ROOT.certificate, ISSUED_AT, ["True", "Ready", "the certificate is valid until 2026-05-30T12:00:00Z; its node renews it by CSR before renewalTime"]],
    ["a CSR certificate stays Ready past its renewal time, until it expires", nodeIssued(), ROOT.certificate, ISSUED_AT + 89 * DAY, ["True", "Ready", "the certificate is valid until 2026-05-30T12:00:00Z; its node renews it by CSR before renewalTime"]],
    ["a CSR certificate is not Ready at the very instant it expires", nodeIssued(), ROOT.certificate, EXPIRY, ["False", "Expired", "the certificate expired at 2026-05-30T12:00:00Z"]],
    ["a CSR certificate whose usages changed is not Ready until its node's next CSR", nodeIssued(withSpec({ usages: ["client auth"] })), ROOT.certificate, ISSUED_AT, ["False", "SpecMismatch", "the issued certificate has usages [client auth, digital signature, key encipherment, server auth]; spec.usages asks for [client auth]; its node's next CSR issues it again"]],
  ])("%s", (_name, cert, issuer, now, [status, reason, message]) => {
    expect(readyOf(decide(cert, issuer, now))).toMatchObject({ status, reason, message, observedGeneration: 1 });
  });

  it.each<[string, Certificate, number, number | undefined]>([
    ["wakes exactly at expiry, to turn Ready False on time", issued(), ISSUED_AT + HOUR, 90 * DAY - HOUR],
    ["does not wake after expiry", issued(), EXPIRY, undefined],
    ["does not wake for a revoked certificate", issued(revoked), ISSUED_AT, undefined],
    ["does not wake for a certificate not issued yet", leaf(issuing()), ISSUED_AT, undefined],
  ])("%s", (_name, cert, now, requeueAfterMs) => {
    const plan = decide(cert, ROOT.certificate, now);
    expect(plan.action === "writeStatus" ? plan.requeueAfterMs : "none").toBe(requeueAfterMs);
  });

  it("writes the observed generation and Ready only, keeping the Issuing condition as it is", () => {
    const cert = issued(generation(4), issuing("Renewing"));
    const plan = decide(cert, ROOT.certificate);
    expect(plan.action === "writeStatus" && plan.status.observedGeneration).toBe(4);
    expect(plan.action === "writeStatus" && Object.keys(plan.status).sort()).toEqual(["conditions", "observedGeneration"]);
    expect(plan.action === "writeStatus" && findCondition(plan.status.conditions, CONDITION_ISSUING)).toEqual(findCondition(cert.status?.conditions, CONDITION_ISSUING));
  });

  it("moves Ready's lastTransitionTime only when it flips", () => {
    const first = decide(issued(), ROOT.certificate, ISSUED_AT);
    const conditions = first.action === "writeStatus" ? first.status.conditions : [];
    const later = decide(issued(withStatus({ conditions })), ROOT.certificate, ISSUED_AT + DAY);
    const expired = decide(issued(withStatus({ conditions })), ROOT.certificate, EXPIRY + HOUR);
    expect(readyOf(later).lastTransitionTime).toBe("2026-03-01T12:00:00Z");
    expect(readyOf(expired).lastTransitionTime).toBe("2026-05-30T13:00:00Z");
  });

  it("is stable: deciding again from its own status writes the same status", () => {
    const first = decide(issued(), ROOT.certificate, ISSUED_AT);
    const status = first.action === "writeStatus" ? first.status : {};
    const again = decide(issued(withStatus(status)), ROOT.certificate, ISSUED_AT + DAY);
    expect(again.action === "writeStatus" && again.status).toEqual(status);
  });

  it("counts the issuer Ready for a leaf only through the issuer's own conditions", () => {
    expect(readyOf(decide(leaf(issuing()), root(condition(CONDITION_READY, "False", "Expired")), ISSUED_AT)).reason).toBe("IssuerNotReady");
    expect(readyOf(decide(leaf(issuing()), root(ready), ISSUED_AT)).reason).toBe("Issuing");
  });
});
