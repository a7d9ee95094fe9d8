import { describe, expect, it } from "vitest";
import type { CertificateSpec } from "../../api/types/certificate.js";
import { canonicalIp, SPEC_COMPARISONS, specMismatch } from "./spec-match.js";
import { certificate, inputOf, issue, LEAF_SPEC, readyRoot } from "./testing/certificate-fixtures.js";

const ROOT = readyRoot();
/** A leaf issued for `issuedFor`, compared with `spec`. */
function compare(issuedFor: Partial<CertificateSpec>, spec: Partial<CertificateSpec> = issuedFor) {
  const cert = issue(certificate("gateway", { ...LEAF_SPEC, ...issuedFor }), { issuer: ROOT }).certificate;
  const { issued } = inputOf(cert, ROOT.certificate);
  return specMismatch({ spec: { ...LEAF_SPEC, ...spec }, status: cert.status, issued: issued!, issuer: ROOT.certificate });
}

describe("specMismatch", () => {
  it("compares the fields in order", () => {
    expect(SPEC_COMPARISONS.map((c) => c.name)).toEqual(["CommonName", "Organizations", "IsCA", "DNSNames", "IPAddresses", "Usages", "KeyAlgorithm", "KeySize", "Issuer", "Duration"]);
  });

  it("reports the first difference in that order when several fields changed", () => {
    expect(compare({}, { commonName: "other.example.com", dnsNames: ["other.example.com"] })).toBe('the issued certificate has common name "gateway.example.com"; spec.commonName asks for "other.example.com"');
  });

  it.each<[string, Partial<CertificateSpec>, Partial<CertificateSpec>]>([
    ["matches a certificate issued for the same spec", {}, {}],
    ["matches organizations and DNS names in another order, or repeated", { subject: { organizations: ["b", "a"] }, dnsNames: ["b.example.com", "a.example.com"] }, { subject: { organizations: ["a", "b", "a"] }, dnsNames: ["a.example.com", "b.example.com"] }],
    ["matches an IPv6 address however it is spelled", { ipAddresses: ["2001:db8:0:0:0:0:0:1", "::1"] }, { ipAddresses: ["2001:DB8::1", "0:0:0:0:0:0:0:1"] }],
    ["matches an IPv4-mapped IPv6 address", { ipAddresses: ["::ffff:10.0.0.1"] }, { ipAddresses: ["::ffff:a00:1"] }],
    ["matches the default key as an explicit ECDSA P-256", {}, { privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" } }],
    ["ignores a key size given for Ed25519", { privateKey: { algorithm: "Ed25519" } }, { privateKey: { algorithm: "Ed25519", size: 384 } }],
    ["matches RSA's default size", { privateKey: { algorithm: "RSA" } }, { privateKey: { algorithm: "RSA", size: 2048 } }],
    ["ignores what the certificate cannot tell: renewBefore and the rotation policy", {}, { renewBefore: "10d", privateKey: { rotationPolicy: "Never" } }],
  ])("%s", (_name, issuedFor, spec) => {
    expect(compare(issuedFor, spec)).toBeUndefined();
  });

  it("says when status.certificate cannot be read", () => {
    expect(specMismatch({ spec: LEAF_SPEC, status: {}, issued: { unreadable: "not PEM" }, issuer: undefined })).toBe("status.certificate cannot be read (not PEM); it is issued again");
  });
});

describe("canonicalIp", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["::ffff:10.0.0.1", "::ffff:a00:1"],
    ["not an address:", "not an address:"],
  ])("spells %s as %s", (ip, canonical) => {
    expect(canonicalIp(ip)).toBe(canonical);
  });
});
