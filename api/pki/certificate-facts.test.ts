import { createHash, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CertificateTemplate, KeySpec } from "./certificate-template.js";
import { certificateFacts, issuerFacts, splitPemCertificates } from "./certificate-facts.js";
import { pemBody } from "./der.js";
import { caTemplate, issue, issueChain, leafTemplate } from "./testing/pki-fixtures.js";

const P256: KeySpec = { algorithm: "ECDSA" };
const whole = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

describe("certificateFacts", () => {
  const cases: Array<[string, KeySpec, CertificateTemplate, Partial<ReturnType<typeof certificateFacts>>]> = [
    [
      "a P-384 server and client leaf with DNS, IPv4 and IPv6 names",
      { algorithm: "ECDSA", size: 384 },
      leafTemplate({ subject: { commonName: "gpu-node-1", organizations: ["Clawbernetes", "Nodes, West"] }, dnsNames: ["gpu-node-1", "gpu-node-1.example.com"], ipAddresses: ["10.1.2.3", "2001:db8::7", "::1"] }),
      { keyAlgorithm: "ECDSA", keySize: 384, isCA: false },
    ],
    ["an Ed25519 leaf with only extended key usages", { algorithm: "Ed25519" }, leafTemplate({ usages: ["client auth", "code signing", "email protection", "timestamping", "ocsp signing"], ipAddresses: [] }), { keyAlgorithm: "Ed25519", keySize: 256 }],
    ["an RSA leaf valid past 2050", { algorithm: "RSA" }, leafTemplate({ notAfter: new Date("2051-01-02T03:04:05.678Z"), usages: ["key encipherment", "data encipherment", "key agreement", "content commitment", "encipher only", "decipher only"] }), { keyAlgorithm: "RSA", keySize: 2048 }],
  ];

  it.each(cases)("reads back what the template said of %s", (_name, spec, template, expected) => {
    const ca = issue(P256, caTemplate("claw root"));
    const leaf = issue(spec, template, ca);
    const facts = certificateFacts(leaf.certificatePem);
    const caFacts = certificateFacts(ca.certificatePem);
    expect(facts).toEqual({
      serialNumber: template.serialNumber,
      commonName: template.subject.commonName,
      organizations: template.subject.organizations ?? [],
      issuer: "CN=claw root,O=Clawbernetes",
      isCA: false,
      dnsNames: template.dnsNames,
      ipAddresses: template.ipAddresses,
      usages: expect.arrayContaining([...template.usages]),
      notBefore: whole(template.notBefore),
      notAfter: whole(template.notAfter),
      subjectKeyId: expect.stringMatching(/^[0-9a-f]{40}$/),
      authorityKeyId: caFacts.subjectKeyId,
      publicKeySha256: createHash("sha256").update(createPublicKey(leaf.privateKeyPem).export({ type: "spki", format: "der" })).digest("hex"),
      keyAlgorithm: expected.keyAlgorithm,
      keySize: expected.keySize,
    });
    expect(facts.usages).toHaveLength(template.usages.length);
  });

  it("reads a CA as a CA that signs certificates and CRLs, its own authority, issuer escaped as RFC 4514 text", () => {
    const root = issue(P256, caTemplate("claw, root", { subject: { commonName: "claw, root", organizations: ["A+B"] } }));
    const facts = certificateFacts(root.certificatePem);
    expect(facts.isCA).toBe(true);
    expect(facts.usages).toEqual(["cert sign", "crl sign"]);
    expect(facts.authorityKeyId).toBe(facts.subjectKeyId);
    expect(facts.issuer).toBe("CN=claw\\, root,O=A\\+B");
  });
});

describe("issuerFacts", () => {
  it("reads the CA flag, key usage, key identifier, subject and key as certificateFacts does", () => {
    const { root, leaf } = issueChain(P256);
    const rootFacts = issuerFacts(pemBody(root.certificatePem, "CERTIFICATE"));
    expect(rootFacts).toMatchObject({ isCA: true, keyUsage: 0b110_0000 });
    expect(rootFacts.subjectKeyId?.toString("hex")).toBe(certificateFacts(root.certificatePem).subjectKeyId);
    expect(rootFacts.spkiDer.equals(createPublicKey(root.privateKeyPem).export({ type: "spki", format: "der" }))).toBe(true);
    expect(issuerFacts(pemBody(leaf.certificatePem, "CERTIFICATE")).isCA).toBe(false);
  });
});

describe("splitPemCertificates", () => {
  it("splits a bundle into its certificates, in order", () => {
    const { root, intermediate, leaf } = issueChain(P256);
    const bundle = `${leaf.certificatePem}${intermediate.certificatePem}\n${root.certificatePem}`;
    expect(splitPemCertificates(bundle)).toEqual([leaf.certificatePem, intermediate.certificatePem, root.certificatePem]);
    expect(splitPemCertificates("")).toEqual([]);
  });
});
