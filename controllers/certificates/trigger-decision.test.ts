import { describe, expect, it } from "vitest";
import { generatePrivateKey } from "../../api/pki/private-key.js";
import { findCondition } from "../../api/machinery/conditions.js";
import type { Certificate } from "../../api/types/certificate.js";
import { CONDITION_ISSUING, CONDITION_READY } from "../../api/types/pki-api.js";
import { certificate, DAY, deleting, generation, HOUR, inputOf, issue, issuing, ISSUED_AT, LEAF_SPEC, modify, ready, readyRoot, revoked, withSpec, withStatus, withoutSpec, type Modifier } from "./testing/certificate-fixtures.js";
import { decideTrigger, TRIGGER_CHECKS, type TriggerPlan } from "./trigger-decision.js";

const ROOT = readyRoot();
/** A root with 20 days left when the leaf is issued: the leaf is cut short to end with it. */
const SHORT_ROOT = readyRoot({ at: ISSUED_AT - 3650 * DAY + 20 * DAY });
const leaf = (...mods: Modifier[]) => certificate("gateway", LEAF_SPEC, ...mods);
/** The leaf as issued at ISSUED_AT by ROOT (90 days, renewed 30 days before expiry), then modified. */
const issued = (opts: Parameters<typeof issue>[1] = {}, ...mods: Modifier[]) => modify(issue(leaf(), { issuer: ROOT, ...opts }).certificate, ...mods);
const RENEWAL = ISSUED_AT + 60 * DAY;
const EXPIRY = ISSUED_AT + 90 * DAY;

/** A node's certificate: its key is the node's (an Ed25519 one, where the spec's default is ECDSA), renewed by CSR. */
const CSR: Modifier = withSpec({ privateKey: { source: "CSR" } });
const nodeIssued = (...mods: Modifier[]) => modify(issue(leaf(CSR), { issuer: ROOT, keyPem: generatePrivateKey({ algorithm: "Ed25519" }) }).certificate, ...mods);

const fired = (plan: TriggerPlan) => (plan.action === "trigger" ? plan.reason : undefined);
const decide = (cert: Certificate | undefined, now: number, issuer: Certificate | undefined) => decideTrigger(inputOf(cert, issuer), now);

describe("decideTrigger", () => {
  it("checks in cert-manager's order", () => {
    expect(TRIGGER_CHECKS.map((c) => c.name)).toEqual(["DoesNotExist", "SpecChanged", "IssuerRenewed", "Expired", "Renewing"]);
  });

  it.each<[string, Certificate | undefined]>([
    ["does nothing for a certificate that is gone", undefined],
    ["does nothing for a certificate being deleted", leaf(deleting)],
    ["never issues a revoked certificate again, even one never issued", leaf(revoked)],
    ["never renews a revoked certificate, however expired", issued({}, revoked)],
    ["leaves a certificate alone while Issuing is already True", leaf(issuing("DoesNotExist"))],
    ["leaves an expired certificate alone while Issuing is already True", issued({}, issuing("Renewing"))],
    ["never issues a CSR certificate not issued yet: its node sends the CSR", leaf(CSR)],
    ["never renews an expired CSR certificate: its node does, by CSR", nodeIssued()],
  ])("%s", (_name, cert) => {
    expect(decide(cert, EXPIRY + DAY, ROOT.certificate)).toEqual({ action: "none" });
  });

  it.each<[string, Certificate, number, Certificate | undefined]>([
    ["leaves a CSR certificate alone past its renewal time", nodeIssued(), RENEWAL + HOUR, ROOT.certificate],
    ["leaves a CSR certificate alone at its expiry", nodeIssued(), EXPIRY, ROOT.certificate],
    ["leaves a CSR certificate alone when its spec changed: its node's next CSR issues the new spec", nodeIssued(withSpec({ usages: ["client auth"] })), ISSUED_AT, ROOT.certificate],
    ["leaves a CSR certificate alone when its issuer was renewed", nodeIssued(withStatus({ issuerSerialNumber: "0badc0de" })), ISSUED_AT, ROOT.certificate],
    ["leaves a CSR certificate alone when its issuer is gone", nodeIssued(), ISSUED_AT, undefined],
  ])("%s, and sets no wake-up", (_name, cert, now, issuer) => {
    expect(decide(cert, now, issuer)).toEqual({ action: "none" });
  });

  it.each<[string, Certificate, number, string, unknown]>([
    ["a certificate with no status is issued because it does not exist", leaf(), ISSUED_AT, "DoesNotExist", "the certificate has not been issued yet"],
    ["a root CA with no status is issued because it does not exist", certificate("root", { isCA: true, commonName: "Root" }), ISSUED_AT, "DoesNotExist", "the certificate has not been issued yet"],
    ["a certificate whose DNS names changed is issued again because its spec changed", issued({}, withSpec({ dnsNames: ["gateway.example.com", "api.example.com"] })), ISSUED_AT, "SpecChanged", "the issued certificate has DNS names [gateway.example.com]; spec.dnsNames asks for [api.example.com, gateway.example.com]"],
    ["a certificate whose common name changed is issued again", issued({}, withSpec({ commonName: "gw.example.com" })), ISSUED_AT, "SpecChanged", 'the issued certificate has common name "gateway.example.com"; spec.commonName asks for "gw.example.com"'],
    ["a certificate whose organizations changed is issued again", issued({}, withSpec({ subject: { organizations: ["system:nodes"] } })), ISSUED_AT, "SpecChanged", "the issued certificate has organizations []; spec.subject.organizations asks for [system:nodes]"],
    ["a certificate whose IP addresses changed is issued again", issued({}, withSpec({ ipAddresses: ["10.0.0.2"] })), ISSUED_AT, "SpecChanged", "the issued certificate has IP addresses [10.0.0.1, 2001:db8::1]; spec.ipAddresses asks for [10.0.0.2]"],
    ["a certificate whose usages changed is issued again", issued({}, withSpec({ usages: ["digital signature", "server auth"] })), ISSUED_AT, "SpecChanged", "the issued certificate has usages [client auth, digital signature, key encipherment, server auth]; spec.usages asks for [digital signature, server auth]"],
    ["a certificate issued with other usages than the defaults is issued again when spec.usages is dropped", issued({ template: { usages: ["server auth"] } }), ISSUED_AT, "SpecChanged", "the issued certificate has usages [server auth]; the default usages of a leaf are [client auth, digital signature, key encipherment, server auth]"],
    ["a leaf that became a CA is issued again", issued({}, withSpec({ isCA: true, usages: ["cert sign", "crl sign", "digital signature"] })), ISSUED_AT, "SpecChanged", "the issued certificate is not a CA; spec.isCA is true"],
    ["a certificate whose key algorithm changed is issued again", issued({}, withSpec({ privateKey: { algorithm: "Ed25519" } })), ISSUED_AT, "SpecChanged", "the issued certificate has an ECDSA key; spec.privateKey.algorithm asks for Ed25519"],
    ["a certificate whose key size changed is issued again", issued({}, withSpec({ privateKey: { size: 384 } })), ISSUED_AT, "SpecChanged", "the issued certificate has a 256-bit ECDSA key; spec.privateKey asks for 384 bits"],
    ["a certificate whose duration grew is issued again", issued({}, withSpec({ duration: "180d" })), ISSUED_AT, "SpecChanged", "the issued certificate is valid for 90d; spec.duration asks for 180d"],
    ["a certificate whose duration shrank is issued again", issued({}, withSpec({ duration: "60d", renewBefore: "20d" })), ISSUED_AT, "SpecChanged", "the issued certificate is valid for 90d; spec.duration asks for 60d"],
    ["a certificate that lost spec.duration is issued again for the default 90 days", modify(issue(leaf(withSpec({ duration: "30d", renewBefore: "10d" })), { issuer: ROOT }).certificate, withoutSpec("duration", "renewBefore")), ISSUED_AT, "SpecChanged", "the issued certificate is valid for 30d; the default duration of a leaf asks for 90d"],
    ["a self-signed certificate that now names an issuer is issued again", modify(issue(certificate("gateway", { isCA: true, commonName: "gateway.example.com" })).certificate, withSpec({ issuerRef: { name: "ca" } })), ISSUED_AT, "SpecChanged", 'the issued certificate is self-signed; spec.issuerRef names issuer "ca"'],
    ["a CA that no longer names an issuer is issued again as a root", modify(issue(certificate("sub", { isCA: true, commonName: "Sub CA", issuerRef: { name: "ca" }, duration: "8760h" }), { issuer: ROOT }).certificate, withoutSpec("issuerRef")), ISSUED_AT, "SpecChanged", "the issued certificate was signed by an issuer; without spec.issuerRef it is a self-signed root"],
    ["a certificate whose status.certificate cannot be read is issued again", issued({}, withStatus({ certificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" })), ISSUED_AT, "SpecChanged", expect.stringMatching(/^status.certificate cannot be read \(.+\); it is issued again$/)],
    ["a certificate whose issuer was renewed is issued again by the new one", issued({}, withStatus({ issuerSerialNumber: "0badc0de" })), ISSUED_AT, "IssuerRenewed", `issuer "ca" was renewed (serial ${ROOT.certificate.status!.serialNumber}); the certificate was signed by serial 0badc0de`],
    ["a certificate is issued again at the very instant it expires", issued(), EXPIRY, "Expired", "the certificate expired at 2026-05-30T12:00:00Z"],
    ["a certificate is renewed at the very instant of its renewal time", issued(), RENEWAL, "Renewing", "the certificate is due for renewal since 2026-04-30T12:00:00Z"],
    ["a certificate is renewed earlier when renewBefore grew since it was issued", issued({}, withSpec({ renewBefore: "45d" })), ISSUED_AT + 45 * DAY, "Renewing", "the certificate is due for renewal since 2026-04-15T12:00:00Z"],
    ["a certificate without renewBefore is renewed after two thirds of its backdated life", issue(leaf(withoutSpec("renewBefore")), { issuer: ROOT }).certificate, ISSUED_AT + 60 * DAY - 20_000, "Renewing", "the certificate is due for renewal since 2026-04-30T11:59:40Z"],
    ["a spec change wins over a due renewal", issued({}, withSpec({ commonName: "gw.example.com" })), RENEWAL, "SpecChanged", expect.any(String)],
  ])("%s", (_name, cert, now, reason, message) => {
    const plan = decide(cert, now, ROOT.certificate);
    expect(plan).toMatchObject({ action: "trigger", reason, message });
    expect(findCondition(plan.action === "trigger" ? plan.status.conditions : [], CONDITION_ISSUING)).toMatchObject({ status: "True", reason, message });
  });

  it.each<[string, Certificate, number, Certificate | undefined, number | undefined]>([
    ["waits for renewal, waking exactly at the renewal time", issued(), ISSUED_AT + HOUR, ROOT.certificate, RENEWAL - ISSUED_AT - HOUR],
    ["waits one more second a second before renewal", issued(), RENEWAL - 1000, ROOT.certificate, 1000],
    ["counts the same IPv6 address spelled out in full as the same", issued({ template: { ipAddresses: ["10.0.0.1", "2001:0db8:0000:0000:0000:0000:0000:0001"] } }), ISSUED_AT, ROOT.certificate, RENEWAL - ISSUED_AT],
    ["counts usages as a set, in any order", issued({}, withSpec({ usages: ["server auth", "client auth", "key encipherment", "digital signature", "server auth"] })), ISSUED_AT, ROOT.certificate, RENEWAL - ISSUED_AT],
    ["counts the usages of a CA with cert sign and crl sign, which it always gets", issue(certificate("sub", { isCA: true, commonName: "Sub", issuerRef: { name: "ca" }, usages: ["cert sign", "digital signature"], duration: "8760h" }), { issuer: ROOT }).certificate, ISSUED_AT, ROOT.certificate, Math.floor(((365 * DAY + 60_000) * 2) / 3) - 60_000],
    ["keeps a key kept under rotationPolicy Never when nothing changed", issued({ keyPem: generatePrivateKey({ algorithm: "ECDSA", size: 256 }) }), ISSUED_AT, ROOT.certificate, RENEWAL - ISSUED_AT],
    ["does not reissue for a status change alone, such as a new generation with the same spec", issued({}, generation(5), ready), ISSUED_AT, ROOT.certificate, RENEWAL - ISSUED_AT],
    ["does not call a leaf cut short at its CA's expiry a spec change", issue(leaf(), { issuer: SHORT_ROOT }).certificate, ISSUED_AT, SHORT_ROOT.certificate, 20 * DAY],
    ["does not reissue a certificate whose issuer is gone, and waits for its renewal", issued(), ISSUED_AT, undefined, RENEWAL - ISSUED_AT],
  ])("%s", (_name, cert, now, issuer, requeueAfterMs) => {
    const plan = decide(cert, now, issuer);
    expect(fired(plan)).toBeUndefined();
    if (requeueAfterMs !== undefined) expect(plan).toEqual({ action: "none", requeueAfterMs });
  });

  it("does not renew a certificate that already ends with its CA, since renewing could not extend it, and wakes at its expiry", () => {
    const cut = issue(leaf(), { issuer: SHORT_ROOT }).certificate;
    // Cut short to 20 days, its renewal time (30 days before expiry) was due as soon as it was issued.
    expect(cut.status?.renewalTime).toBe("2026-03-01T12:00:00Z");
    expect(decide(cut, ISSUED_AT + DAY, SHORT_ROOT.certificate)).toEqual({ action: "none", requeueAfterMs: 19 * DAY });
    expect(fired(decide(cut, ISSUED_AT + 20 * DAY, SHORT_ROOT.certificate))).toBe("Expired");
  });

  it("renews a cut-short certificate once its CA is renewed", () => {
    const cut = issue(leaf(), { issuer: SHORT_ROOT }).certificate;
    expect(fired(decide(cut, ISSUED_AT + DAY, ROOT.certificate))).toBe("IssuerRenewed");
  });

  it("sets Issuing True with the observed generation, keeping the other conditions as they are", () => {
    const cert = issued({}, generation(3), ready);
    const plan = decide(cert, RENEWAL + HOUR, ROOT.certificate);
    const conditions = plan.action === "trigger" ? plan.status.conditions : [];
    expect(plan.action === "trigger" && Object.keys(plan.status)).toEqual(["conditions"]);
    expect(findCondition(conditions, CONDITION_ISSUING)).toEqual({ type: CONDITION_ISSUING, status: "True", reason: "Renewing", message: "the certificate is due for renewal since 2026-04-30T12:00:00Z", observedGeneration: 3, lastTransitionTime: "2026-04-30T13:00:00Z" });
    expect(findCondition(conditions, CONDITION_READY)).toEqual(findCondition(cert.status?.conditions, CONDITION_READY));
  });
});
