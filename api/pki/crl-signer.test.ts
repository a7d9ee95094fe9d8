import { describe, expect, it } from "vitest";
import type { CrlEntry, CrlTemplate, KeySpec, SigningAuthority } from "./certificate-template.js";
import { crlSerials } from "./certificate-facts.js";
import { signCrl } from "./crl-signer.js";
import { caTemplate, issue, leafTemplate, newSerial, openssl } from "./testing/pki-fixtures.js";

const P256: KeySpec = { algorithm: "ECDSA" };
const HOUR = 3_600_000;

function crlTemplate(issuer: SigningAuthority, overrides: Partial<CrlTemplate> = {}): CrlTemplate {
  return { issuer, number: 1, thisUpdate: new Date(Date.now() - HOUR), nextUpdate: new Date(Date.now() + HOUR), entries: [], ...overrides };
}
const entry = (serialNumber: string, reason: CrlEntry["reason"] = "keyCompromise"): CrlEntry => ({ serialNumber, revokedAt: new Date(Date.now() - HOUR / 2), reason });
const crlText = (ca: SigningAuthority, pem: string) => openssl(["crl", "-noout", "-text", "-CAfile", "$ca.pem", "-in", "$crl.pem"], { "ca.pem": ca.certificatePem, "crl.pem": pem });

describe("signCrl", () => {
  const ca = issue(P256, caTemplate("claw root"));

  it("signs a v2 CRL that openssl verifies and lists with its number, key identifier and reasons", () => {
    const entries = [entry("0a01", "unspecified"), entry("7f00112233445566", "keyCompromise"), entry("1234", "superseded")];
    const crl = signCrl(crlTemplate(ca, { number: 42, entries }));
    const shown = crlText(ca, crl.pem);
    expect(shown.output).toContain("verify OK");
    expect(shown.output).toMatch(/Version 2 \(0x1\)/);
    expect(shown.output).toContain("Issuer: O = Clawbernetes, CN = claw root");
    expect(shown.output).toMatch(/X509v3 CRL Number: \s+42\n/);
    expect(shown.output).toMatch(/X509v3 Authority Key Identifier: \s+[0-9A-F:]{59}\n/);
    expect(shown.output).toMatch(/Serial Number: 0A01\n\s+Revocation Date: [^\n]+\n\s+Serial Number: 7F00112233445566\n\s+Revocation Date: [^\n]+\n\s+CRL entry extensions:\n\s+X509v3 CRL Reason Code: \n\s+Key Compromise\n\s+Serial Number: 1234\n[\s\S]+Superseded/);
    expect(crlSerials(crl.pem)).toEqual(["0a01", "7f00112233445566", "1234"]);
    expect(crlSerials(crl.der)).toEqual(crlSerials(crl.pem));
  });

  it("leaves the revoked list out of a CRL with no entries", () => {
    const crl = signCrl(crlTemplate(ca));
    const shown = crlText(ca, crl.pem).output;
    expect(shown).toContain("verify OK");
    expect(shown).toContain("No Revoked Certificates.");
    expect(crlSerials(crl.pem)).toEqual([]);
  });

  it.each([
    ["ECDSA P-384", { algorithm: "ECDSA", size: 384 }],
    ["ECDSA P-521", { algorithm: "ECDSA", size: 521 }],
    ["Ed25519", { algorithm: "Ed25519" }],
    ["RSA 2048", { algorithm: "RSA", size: 2048 }],
    ["RSA 4096", { algorithm: "RSA", size: 4096 }],
  ] as Array<[string, KeySpec]>)("signs with a %s CA", (_name, spec) => {
    const other = issue(spec, caTemplate("other root"));
    expect(crlText(other, signCrl(crlTemplate(other, { entries: [entry("01")] })).pem).output).toContain("verify OK");
  });

  it("makes openssl verify -crl_check refuse a revoked leaf and accept another", () => {
    const revokedTemplate = leafTemplate();
    const [revoked, kept] = [issue(P256, revokedTemplate, ca), issue(P256, leafTemplate(), ca)];
    const crl = signCrl(crlTemplate(ca, { entries: [entry(newSerial()), entry(revokedTemplate.serialNumber), entry(newSerial())] }));
    const verify = (leaf: SigningAuthority) => openssl(["verify", "-crl_check", "-CAfile", "$ca.pem", "-CRLfile", "$crl.pem", "$leaf.pem"], { "ca.pem": ca.certificatePem, "crl.pem": crl.pem, "leaf.pem": leaf.certificatePem });
    const refused = verify(revoked);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/certificate revoked/);
    expect(verify(kept).output).toMatch(/leaf\.pem: OK/);
  });

  it("signs 10,000 entries in well under a second, and they read back in order", () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => entry(`7e${i.toString(16).padStart(8, "0")}`, i % 2 ? "cessationOfOperation" : "unspecified"));
    const started = performance.now();
    const crl = signCrl(crlTemplate(ca, { entries }));
    expect(performance.now() - started).toBeLessThan(2_000); // ~60 ms on a busy two-core machine
    expect(crlSerials(crl.der)).toEqual(entries.map((e) => e.serialNumber));
    expect(crlText(ca, crl.pem).output).toContain("verify OK");
  });

  const leaf = issue(P256, leafTemplate(), ca);
  it.each([
    ["a serial listed twice", () => crlTemplate(ca, { entries: [entry("01"), entry("02"), entry("01")] }), /entries\[2\] repeats serialNumber 01/],
    ["a serial that is not positive hexadecimal", () => crlTemplate(ca, { entries: [entry("01"), entry("-1")] }), /entries\[1\].serialNumber "-1" must be a positive integer of 1 to 20 bytes in lowercase hexadecimal/],
    ["nextUpdate not after thisUpdate", () => crlTemplate(ca, { thisUpdate: new Date("2030-01-01T00:00:00Z"), nextUpdate: new Date("2030-01-01T00:00:00.500Z") }), /nextUpdate \(2030-01-01T00:00:00.500Z\) must be after thisUpdate/],
    ["a negative CRL number", () => crlTemplate(ca, { number: -1 }), /number -1 must be a non-negative integer/],
    ["an issuer that is not a CA", () => crlTemplate(leaf), /the issuer certificate "CN=leaf.example.com" is not a CA/],
  ])("refuses %s", (_name, template, message) => {
    expect(() => signCrl(template())).toThrow(message);
  });
});
