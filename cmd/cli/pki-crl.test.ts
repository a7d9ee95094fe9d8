import { describe, expect, it } from "vitest";
import { subtle, x509 } from "../../api/pki/x509.js";
import { describeCrl } from "./commands/pki-crl-command.js";
import { readCrl } from "./pki-crl.js";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

async function crlPem(entries: { serialNumber: string; revocationDate: Date; reason?: number }[]): Promise<string> {
  const keys = (await subtle.generateKey(ALGORITHM, false, ["sign", "verify"])) as CryptoKeyPair;
  const crl = await x509.X509CrlGenerator.create({
    issuer: "CN=Clawbernetes Root CA",
    thisUpdate: new Date("2026-03-01T08:00:00Z"),
    nextUpdate: new Date("2026-03-02T08:00:00Z"),
    entries,
    signingAlgorithm: ALGORITHM,
    signingKey: keys.privateKey,
  });
  return crl.toString("pem");
}

describe("readCrl", () => {
  it("reads the dates and each revoked serial, in lowercase, with its reason (unspecified when none is given)", async () => {
    const pem = await crlPem([
      { serialNumber: "7F3A01", revocationDate: new Date("2026-03-01T07:00:00Z"), reason: x509.X509CrlReason.keyCompromise },
      { serialNumber: "0a0b", revocationDate: new Date("2026-03-01T06:00:00Z") },
    ]);
    expect(await readCrl(pem)).toEqual({
      issuer: "CN=Clawbernetes Root CA",
      thisUpdate: new Date("2026-03-01T08:00:00Z"),
      nextUpdate: new Date("2026-03-02T08:00:00Z"),
      revoked: [
        { serialNumber: "7f3a01", revokedAt: new Date("2026-03-01T07:00:00Z"), reason: "keyCompromise" },
        { serialNumber: "0a0b", revokedAt: new Date("2026-03-01T06:00:00Z"), reason: "unspecified" },
      ],
    });
  });

  it("says so when the text is no CRL", async () => {
    await expect(readCrl("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")).rejects.toThrow("the server's CRL cannot be read");
  });
});

describe("describeCrl", () => {
  const dates = { issuer: "CN=Clawbernetes Root CA", thisUpdate: new Date("2026-03-01T08:00:00Z"), nextUpdate: new Date("2026-03-02T08:00:00Z") };

  it("lists the revoked serials, oldest first", () => {
    const text = describeCrl(
      {
        ...dates,
        revoked: [
          { serialNumber: "7f3a01", revokedAt: new Date("2026-03-01T07:00:00Z"), reason: "keyCompromise" },
          { serialNumber: "0a0b", revokedAt: new Date("2026-03-01T06:00:00Z"), reason: "unspecified" },
        ],
      },
      Date.parse("2026-03-01T08:00:00Z"),
    );
    expect(text).toBe(
      [
        "Issuer:       CN=Clawbernetes Root CA",
        "This update:  2026-03-01T08:00:00Z",
        "Next update:  2026-03-02T08:00:00Z",
        "Revoked:      2",
        "",
        "SERIAL   REVOKED AT             REASON",
        "0a0b     2026-03-01T06:00:00Z   unspecified",
        "7f3a01   2026-03-01T07:00:00Z   keyCompromise",
        "",
      ].join("\n"),
    );
  });

  it("says how many are revoked, and no table, when none is", () => {
    expect(describeCrl({ ...dates, revoked: [] }, 0)).toMatch(/Revoked: {6}0\n$/);
  });
});
