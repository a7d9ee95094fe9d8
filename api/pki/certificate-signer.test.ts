import { createHash, createPublicKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { describe, expect, it } from "vitest";
import type { CertificateTemplate, KeySpec, SigningAuthority } from "./certificate-template.js";
import { signCertificate, signCertificateForPublicKey } from "./certificate-signer.js";
import { derChildren, pemBody, readDer, TAG } from "./der.js";
import { generatePrivateKey } from "./private-key.js";
import { caTemplate, issue, issueChain, leafTemplate, openssl } from "./testing/pki-fixtures.js";

const ALGORITHMS: Array<[string, KeySpec, string]> = [
  ["ECDSA P-256", { algorithm: "ECDSA", size: 256 }, "ecdsa-with-SHA256"],
  ["ECDSA P-384", { algorithm: "ECDSA", size: 384 }, "ecdsa-with-SHA384"],
  ["ECDSA P-521", { algorithm: "ECDSA", size: 521 }, "ecdsa-with-SHA512"],
  ["Ed25519", { algorithm: "Ed25519" }, "ED25519"],
  ["RSA 2048", { algorithm: "RSA", size: 2048 }, "sha256WithRSAEncryption"],
  ["RSA 3072", { algorithm: "RSA", size: 3072 }, "sha256WithRSAEncryption"],
  ["RSA 4096", { algorithm: "RSA", size: 4096 }, "sha256WithRSAEncryption"],
];
const P256: KeySpec = { algorithm: "ECDSA" };

/** The TBSCertificate's fields, past the version: serial, signature, issuer, validity, subject, key, extensions. */
const tbsFields = (pem: string) => derChildren(derChildren(readDer(pemBody(pem, "CERTIFICATE")))[0]!).slice(1);
const text = (pem: string) => openssl(["x509", "-noout", "-text", "-in", "$c.pem"], { "c.pem": pem }).output;

/** A CA made by openssl itself, with a subject signCertificate would never write (PrintableString, a multi-valued RDN). */
function opensslCa(keyUsage: string): SigningAuthority {
  const made = openssl(
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "$key.pem", "-out", "$ca.pem", "-days", "1", "-subj", "/C=US/O=Acme+OU=Ops/CN=Acme Root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", `keyUsage=critical,${keyUsage}`],
  );
  expect(made.status, made.output).toBe(0);
  return { certificatePem: made.files["ca.pem"]!, privateKeyPem: made.files["key.pem"]! };
}

describe("signCertificate", () => {
  it.each(ALGORITHMS)("issues a %s root, intermediate and leaf that OpenSSL and node verify", (_name, spec, signatureAlgorithm) => {
    const { root, intermediate, leaf } = issueChain(spec);
    const verified = openssl(["verify", "-x509_strict", "-CAfile", "$root.pem", "-untrusted", "$intermediate.pem", "$leaf.pem"], { "root.pem": root.certificatePem, "intermediate.pem": intermediate.certificatePem, "leaf.pem": leaf.certificatePem });
    expect(verified.output).toMatch(/leaf\.pem: OK/);
    expect(verified.status).toBe(0);
    const [r, i, l] = [root, intermediate, leaf].map((c) => new X509Certificate(c.certificatePem));
    expect(r!.verify(r!.publicKey)).toBe(true);
    expect(i!.verify(r!.publicKey)).toBe(true);
    expect(l!.verify(i!.publicKey)).toBe(true);
    expect(l!.checkIssued(i!)).toBe(true);
    expect(text(leaf.certificatePem)).toContain(`Signature Algorithm: ${signatureAlgorithm}`);
  });

  it("writes the SANs (DNS, IPv4, IPv6), key usage, extended key usage and subject that openssl shows", () => {
    const ca = issue(P256, caTemplate("claw root"));
    const template = leafTemplate({ subject: { commonName: "gateway", organizations: ["Clawbernetes", "GPU fleet"] }, dnsNames: ["gateway.example.com", "*.gpu.example.com"], ipAddresses: ["10.0.0.7", "2001:db8::1", "::ffff:192.0.2.1"] });
    const shown = text(issue(P256, template, ca).certificatePem);
    expect(shown).toContain("Subject: O = Clawbernetes, O = GPU fleet, CN = gateway");
    expect(shown).toContain("Issuer: O = Clawbernetes, CN = claw root");
    expect(shown).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(shown).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
    expect(shown).toMatch(/X509v3 Extended Key Usage: \s+TLS Web Server Authentication, TLS Web Client Authentication\n/);
    expect(shown).toContain("DNS:gateway.example.com, DNS:*.gpu.example.com, IP Address:10.0.0.7, IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:C000:201\n");
  });

  it("gives a CA cert sign and CRL sign, and a root its own key identifier as authority", () => {
    const root = issue(P256, caTemplate("claw root", { usages: ["digital signature"] }));
    const shown = text(root.certificatePem);
    expect(shown).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE\n/);
    expect(shown).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign\n/);
    const ski = /Subject Key Identifier: \s+([0-9A-F:]+)/.exec(shown)?.[1];
    expect(shown).toMatch(new RegExp(`Authority Key Identifier: \\s+(keyid:)?${ski}`));
    // RFC 5280 method 1: SHA-1 of the subjectPublicKey bits.
    const spki = new X509Certificate(root.certificatePem).publicKey.export({ type: "spki", format: "der" });
    const bits = derChildren(readDer(spki))[1]!.contents.subarray(1);
    expect(ski?.replace(/:/g, "").toLowerCase()).toBe(createHash("sha1").update(bits).digest("hex"));
  });

  it("marks the SANs critical when the subject is empty (RFC 5280 4.2.1.6)", () => {
    const ca = issue(P256, caTemplate("claw root"));
    const shown = text(issue(P256, leafTemplate({ subject: { commonName: "" } }), ca).certificatePem);
    expect(shown).toMatch(/Subject: *\n/);
    expect(shown).toContain("X509v3 Subject Alternative Name: critical");
  });

  it("copies the issuer's subject byte for byte, so OpenSSL chains a leaf to a CA it made itself", () => {
    const ca = opensslCa("keyCertSign,cRLSign");
    const leaf = issue(P256, leafTemplate(), ca);
    const caSubject = tbsFields(ca.certificatePem)[4]!.encoded;
    expect(tbsFields(leaf.certificatePem)[2]!.encoded.equals(caSubject)).toBe(true);
    expect(caSubject.includes(Buffer.from([0x13, 0x02, 0x55, 0x53]))).toBe(true); // C=US as a PrintableString
    const verified = openssl(["verify", "-x509_strict", "-CAfile", "$ca.pem", "$leaf.pem"], { "ca.pem": ca.certificatePem, "leaf.pem": leaf.certificatePem });
    expect(verified.output).toMatch(/leaf\.pem: OK/);
  });

  it.each([["7f", "7F"], ["0080ff", "80FF"], ["7fffffffffffffffffffffffffffffffffffffff", "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"]])("writes serial %s as the positive integer openssl shows as %s", (serialNumber, shown) => {
    const ca = issue(P256, caTemplate("claw root"));
    const issued = issue(P256, leafTemplate({ serialNumber }), ca);
    expect(openssl(["x509", "-noout", "-serial", "-in", "$c.pem"], { "c.pem": issued.certificatePem }).output).toBe(`serial=${shown}\n`);
    expect(tbsFields(issued.certificatePem)[0]!.contents.toString("hex")).toBe(serialNumber);
  });

  it.each([
    ["2049-12-31T23:59:59.999Z", TAG.UTC_TIME, "Dec 31 23:59:59 2049 GMT"],
    ["2050-01-01T00:00:00Z", TAG.GENERALIZED_TIME, "Jan  1 00:00:00 2050 GMT"],
  ])("encodes notAfter %s as the time type RFC 5280 asks, to the second", (notAfter, tag, shown) => {
    const root = issue(P256, caTemplate("claw root", { notAfter: new Date(notAfter) }));
    expect(derChildren(tbsFields(root.certificatePem)[3]!)[1]!.tag).toBe(tag);
    expect(text(root.certificatePem)).toContain(`Not After : ${shown}`);
  });

  it.each([
    ["a leaf", leafTemplate()],
    ["a CA with every usage", caTemplate("ca", { usages: ["digital signature", "content commitment", "key encipherment", "key agreement", "data encipherment", "encipher only", "decipher only", "server auth", "client auth", "code signing", "email protection", "timestamping", "ocsp signing"] })],
    ["a certificate past 2050", leafTemplate({ notAfter: new Date("2051-03-04T05:06:07Z") })],
  ])("encodes %s exactly as asn1-x509 encodes the same structure", (_name, template) => {
    for (const spec of [P256, { algorithm: "RSA" } as const, { algorithm: "Ed25519" } as const]) {
      const der = pemBody(issue(spec, template).certificatePem, "CERTIFICATE");
      expect(Buffer.from(AsnConvert.serialize(AsnConvert.parse(der, Certificate))).equals(der)).toBe(true);
    }
  });

  const ca = issue(P256, caTemplate("claw root"));
  const refusals: Array<[string, Partial<CertificateTemplate>, RegExp]> = [
    ["a leaf that would sign certificates", { usages: ["cert sign"] }, /usages has "cert sign" but isCA is false: only a CA signs certificates/],
    ["a serial with a redundant leading zero byte", { serialNumber: "007f" }, /serialNumber "007f" must be a positive integer of 1 to 20 bytes .* no redundant leading 00/],
    ["a zero serial", { serialNumber: "00" }, /serialNumber "00" must be a positive integer/],
    ["a negative serial", { serialNumber: "80" }, /serialNumber "80" must be .* first byte below 80/],
    ["a serial of 21 bytes", { serialNumber: "7f".repeat(21) }, /serialNumber "(7f)+" must be a positive integer of 1 to 20 bytes/],
    ["an uppercase serial", { serialNumber: "ABCD" }, /serialNumber "ABCD" must be .* in lowercase hexadecimal/],
    ["a serial with an odd number of digits", { serialNumber: "abc" }, /serialNumber "abc" must be .* an even number of digits/],
    ["notAfter equal to notBefore", { notBefore: new Date("2030-01-01T00:00:00Z"), notAfter: new Date("2030-01-01T00:00:00.900Z") }, /notAfter \(2030-01-01T00:00:00.900Z\) must be after notBefore \(2030-01-01T00:00:00.000Z\), to the second/],
    ["notAfter before notBefore", { notBefore: new Date("2030-01-02T00:00:00Z"), notAfter: new Date("2030-01-01T00:00:00Z") }, /notAfter .* must be after notBefore/],
    ["a usage the CRD does not name", { usages: ["any" as never] }, /usages\[0\] "any" is not a usage: use one of digital signature, /],
    ["a DNS name that is not ASCII", { dnsNames: ["bücher.example"] }, /dnsNames\[0\] "bücher.example" must be printable ASCII without spaces \(punycode for international names\)/],
    ["an IP address that is not one", { ipAddresses: ["127.0.0.1", "300.1.2.3"] }, /ipAddresses\[1\] "300.1.2.3" is not an IPv4 or IPv6 address/],
  ];
  it.each(refusals)("refuses %s", (_name, overrides, message) => {
    expect(() => signCertificate(leafTemplate(overrides), generatePrivateKey(P256), ca)).toThrow(message);
  });

  it.each([
    ["an issuer that is not a CA", () => issue(P256, leafTemplate(), ca), /the issuer certificate "CN=leaf.example.com" is not a CA/],
    ["an issuer with another CA's key", () => ({ ...ca, privateKeyPem: generatePrivateKey(P256) }), /the issuer's private key does not belong to its certificate "CN=claw root,O=Clawbernetes"/],
    ["a CA whose key usage lacks cert sign", () => opensslCa("digitalSignature,cRLSign"), /the issuer certificate "CN=Acme Root,OU=Ops\+O=Acme,C=US" is a CA whose key usage lacks "cert sign"/],
  ])("refuses %s", (_name, issuer, message) => {
    expect(() => signCertificate(leafTemplate(), generatePrivateKey(P256), issuer())).toThrow(message);
  });
});

describe("signCertificateForPublicKey", () => {
  const ca = issue(P256, caTemplate("claw root"));
  const spkiOf = (privateKeyPem: string) => createPublicKey(privateKeyPem).export({ type: "spki", format: "der" });

  it.each(ALGORITHMS.filter(([name]) => !name.startsWith("RSA 3072") && !name.startsWith("RSA 4096")))("issues a leaf for a %s public key the server never held, that OpenSSL verifies", (_name, spec) => {
    const spki = spkiOf(generatePrivateKey(spec));
    const pem = signCertificateForPublicKey(leafTemplate(), spki, ca);
    const leaf = new X509Certificate(pem);
    expect(leaf.publicKey.export({ type: "spki", format: "der" }).equals(spki)).toBe(true);
    expect(leaf.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
    const verified = openssl(["verify", "-x509_strict", "-CAfile", "$ca.pem", "$leaf.pem"], { "ca.pem": ca.certificatePem, "leaf.pem": pem });
    expect(verified.output).toMatch(/leaf\.pem: OK/);
  });

  it("writes the same TBSCertificate as signCertificate does for the key's holder (ECDSA signatures differ each time)", () => {
    const keyPem = generatePrivateKey(P256);
    const template = leafTemplate();
    const tbs = (pem: string) => derChildren(readDer(pemBody(pem, "CERTIFICATE")))[0]!.encoded;
    expect(tbs(signCertificateForPublicKey(template, spkiOf(keyPem), ca)).equals(tbs(signCertificate(template, keyPem, ca)))).toBe(true);
  });

  it.each<[string, () => Uint8Array, RegExp]>([
    ["a key of a kind claw does not issue (X25519)", () => generateKeyPairSync("x25519").publicKey.export({ type: "spki", format: "der" }), /the key type x25519 is not supported: use ECDSA, Ed25519 or RSA/],
    ["bytes that are no SubjectPublicKeyInfo", () => Buffer.from("not a key"), /./],
  ])("refuses %s", (_name, key, message) => {
    expect(() => signCertificateForPublicKey(leafTemplate(), key(), ca)).toThrow(message);
  });
});
