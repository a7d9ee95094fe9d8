import { describe, expect, it } from "vitest";
import { der, derChildren, derInteger, derNamedBits, derOid, derTime, readDer, sequence, TAG } from "./der.js";

const hex = (b: Buffer) => b.toString("hex");

describe("DER writing", () => {
  it.each([
    ["zero as one byte", derInteger(0), "020100"],
    ["127 without a sign byte", derInteger(127), "02017f"],
    ["128 with a sign byte", derInteger(128), "02020080"],
    ["65537 minimal", derInteger(65537), "0203010001"],
    ["an ENUMERATED reason code", derInteger(1, TAG.ENUMERATED), "0a0101"],
    ["sha256WithRSAEncryption", derOid("1.2.840.113549.1.1.11"), "06092a864886f70d01010b"],
    ["an OID with a large first arc pair (2.999)", derOid("2.999.3"), "0603883703"],
    ["digital signature + key encipherment, trailing zeros dropped", derNamedBits(0b101), "030205a0"],
    ["cert sign + CRL sign", derNamedBits(0b110_0000), "03020106"],
    ["decipher only, the ninth bit", derNamedBits(0b1_0000_0000), "0303070080"],
    ["a short length", der(TAG.OCTET_STRING, Buffer.alloc(127)), `047f${"00".repeat(127)}`],
    ["a one-byte long length", der(TAG.OCTET_STRING, Buffer.alloc(200)), `0481c8${"00".repeat(200)}`],
    ["a two-byte long length", der(TAG.OCTET_STRING, Buffer.alloc(300)), `0482012c${"00".repeat(300)}`],
    ["UTCTime in 2049, without the milliseconds", derTime(new Date("2049-12-31T23:59:59.999Z")), hex(Buffer.concat([Buffer.of(0x17, 13), Buffer.from("491231235959Z")]))],
    ["GeneralizedTime from 2050", derTime(new Date("2050-01-01T00:00:00Z")), hex(Buffer.concat([Buffer.of(0x18, 15), Buffer.from("20500101000000Z")]))],
    ["GeneralizedTime before 1950", derTime(new Date("1949-06-01T12:00:00Z")), hex(Buffer.concat([Buffer.of(0x18, 15), Buffer.from("19490601120000Z")]))],
  ])("encodes %s", (_name, encoded, expected) => {
    expect(hex(encoded)).toBe(expected);
  });
});

describe("DER reading", () => {
  it("reads back what it writes, as views of the input", () => {
    const inner = der(TAG.OCTET_STRING, Buffer.alloc(300, 7));
    const outer = sequence(derInteger(5), inner);
    const [five, octets] = derChildren(readDer(outer));
    expect(five).toMatchObject({ tag: TAG.INTEGER, contents: Buffer.of(5) });
    expect(octets!.encoded.equals(inner)).toBe(true);
    expect(octets!.contents.length).toBe(300);
  });

  it("refuses a length past the end of the input", () => {
    expect(() => readDer(Buffer.from("3005020101", "hex"))).toThrow(/the DER is truncated/);
  });
});
