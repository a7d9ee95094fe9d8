// The parsers themselves are tested through api/guard/cidr-set.test.ts (normalizeIp, parseCidr); these are the
// helpers the controller and the CLI use.
import { describe, expect, it } from "vitest";
import { canonicalCidr, cidrContains, expandedIp, parseCidr, shortCidrText } from "./ip-address.js";

const cidr = (text: string) => parseCidr(text)!;

describe("cidrContains", () => {
  it.each<[string, string, boolean]>([
    ["198.51.100.0/24", "198.51.100.7", true],
    ["198.51.100.0/24", "198.51.100.0/25", true],
    ["198.51.100.0/24", "198.51.100.0/24", true],
    ["198.51.100.0/25", "198.51.100.0/24", false],
    ["198.51.100.0/24", "198.51.101.7", false],
    ["0.0.0.0/0", "203.0.113.1", true],
    ["::/0", "203.0.113.1", false],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/33", "2001:db8:ffff::1", false],
  ])("%s holds %s: %s", (outer, inner, expected) => expect(cidrContains(cidr(outer), cidr(inner))).toBe(expected));
});

describe("the canonical spellings", () => {
  it.each<[string, string, string, string]>([
    ["203.0.113.42", "203.0.113.42/32", "203.0.113.42", "203.0.113.42"],
    ["10.1.2.3/8", "10.0.0.0/8", "10.0.0.0/8", "10.0.0.0"],
    ["2001:DB8::1", "2001:db8::1/128", "2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
    ["::ffff:1.2.3.4", "1.2.3.4/32", "1.2.3.4", "1.2.3.4"],
  ])("%s: %s, shortly %s, in full %s", (text, canonical, short, full) => {
    expect(canonicalCidr(text)).toBe(canonical);
    expect(shortCidrText(cidr(text))).toBe(short);
    expect(expandedIp(cidr(text))).toBe(full);
  });

  it("has no canonical form for text that is no address", () => expect(canonicalCidr("example.com")).toBeUndefined());
});
