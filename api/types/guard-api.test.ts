import { describe, expect, it } from "vitest";
import { blockRuleName } from "./guard-api.js";

describe("blockRuleName", () => {
  it.each<[string, string, "manual" | "auto", string]>([
    ["names a manual IPv4 host by its address", "203.0.113.42", "manual", "block-203-0-113-42"],
    ["gives a host's /32 spelling the same name", "203.0.113.42/32", "manual", "block-203-0-113-42"],
    ["names an auto rule with its own prefix", "203.0.113.42", "auto", "auto-203-0-113-42"],
    ["adds an IPv4 block's prefix", "198.51.100.0/24", "manual", "block-198-51-100-0-24"],
    ["masks host bits first", "10.1.2.3/8", "manual", "block-10-0-0-0-8"],
    ["names IPv4-mapped IPv6 as IPv4", "::ffff:203.0.113.42", "manual", "block-203-0-113-42"],
    ["writes IPv6 out in full", "2001:db8::1", "manual", "block-2001-0db8-0000-0000-0000-0000-0000-0001"],
    ["names another spelling of that IPv6 address alike", "2001:DB8:0::0:1/128", "manual", "block-2001-0db8-0000-0000-0000-0000-0000-0001"],
    ["adds an IPv6 block's prefix", "2001:db8::/32", "manual", "block-2001-0db8-0000-0000-0000-0000-0000-0000-32"],
  ])("%s", (_name, cidr, source, expected) => expect(blockRuleName(cidr, source)).toBe(expected));

  it("never gives two distinct IPv6 blocks one name", () => {
    const blocks = ["2001:db8::1", "2001:db8:1::", "2001:db8::1:0", "2001:db8::/32", "2001:db8::/33", "::1", "1::", "::/0", "0.0.0.0/0", "0.0.0.0"];
    expect(new Set(blocks.map((b) => blockRuleName(b, "manual"))).size).toBe(blocks.length);
  });

  it("makes a valid object name of every address", () => {
    for (const b of ["::", "::/0", "ff02::1", "fe80::/10"]) expect(blockRuleName(b, "auto")).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
