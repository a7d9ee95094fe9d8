import { describe, expect, it } from "vitest";
import { UsageError } from "../cli-errors.js";
import { blockSpec, lifetimeText, parseBlockLifetime, parseBlockTarget, parseReason, type BlockFlags } from "./security-block-command.js";

const NOW = Date.parse("2026-03-01T08:00:00Z");

describe("parseBlockTarget", () => {
  it.each([
    ["takes an IPv4 address as that host", "203.0.113.42", { text: "203.0.113.42", prefix: 32, masked: false }],
    ["takes a host's /32 as the bare address", "203.0.113.42/32", { text: "203.0.113.42", prefix: 32, masked: false }],
    ["takes an IPv4 block", "198.51.100.0/24", { text: "198.51.100.0/24", prefix: 24, masked: false }],
    ["clears host bits and says so", "10.1.2.3/8", { text: "10.0.0.0/8", prefix: 8, masked: true }],
    ["writes IPv6 canonically", "2001:DB8:0:0::1", { text: "2001:db8::1", prefix: 128, masked: false }],
    ["takes an IPv6 block", "2001:db8::/32", { text: "2001:db8::/32", prefix: 32, masked: false }],
    ["takes IPv4-mapped IPv6 as IPv4", "::ffff:203.0.113.42", { text: "203.0.113.42", prefix: 32, masked: false }],
    ["ignores surrounding blanks", " 192.0.2.1 ", { text: "192.0.2.1", prefix: 32, masked: false }],
  ])("%s", (_name, arg, expected) => {
    const target = parseBlockTarget(arg);
    expect({ text: target.text, prefix: target.cidr.prefix, masked: target.masked }).toEqual(expected);
  });

  it.each(["example.com", "10.0.0.256", "10.0.0.0/33", "2001:db8::/129", "", "1.2.3.4/"])("refuses %j with examples of what to give", (arg) => {
    expect(() => parseBlockTarget(arg)).toThrow(new UsageError(`"${arg}" is not an IPv4 or IPv6 address or CIDR block; give one such as 203.0.113.42, 198.51.100.0/24 or 2001:db8::/32`));
  });
});

describe("parseBlockLifetime", () => {
  it.each<[string, BlockFlags, ReturnType<typeof parseBlockLifetime>]>([
    ["blocks for good with neither flag", {}, { kind: "forever" }],
    ["takes a duration", { duration: "24h" }, { kind: "duration", duration: "24h", ms: 24 * 3_600_000 }],
    ["takes a compound duration", { duration: "1h30m" }, { kind: "duration", duration: "1h30m", ms: 90 * 60_000 }],
    ["takes an RFC 3339 expiry", { expires: "2026-03-02T08:00:00Z" }, { kind: "until", expiresAt: "2026-03-02T08:00:00Z" }],
    ["takes an expiry with an offset", { expires: "2026-03-02T10:00:00+02:00" }, { kind: "until", expiresAt: "2026-03-02T10:00:00+02:00" }],
  ])("%s", (_name, flags, expected) => expect(parseBlockLifetime(flags, NOW)).toEqual(expected));

  it.each<[string, BlockFlags, string]>([
    ["refuses both flags", { duration: "1h", expires: "2026-03-02T08:00:00Z" }, "give --duration or --expires, not both"],
    ["refuses a number without a unit", { duration: "24" }, '--duration: "24" is not a duration; write a number and a unit d, h, m or s, such as 24h, 30m or 1h30m'],
    ["refuses a unit it does not know", { duration: "1w" }, '--duration: "1w" is not a duration'],
    ["refuses a zero duration", { duration: "0h" }, '--duration: "0h" is not a duration'],
    ["refuses a date without a time", { expires: "2026-03-02" }, '--expires: "2026-03-02" is not an RFC 3339 time such as 2026-05-06T08:00:00Z; for a length of time use --duration 24h'],
    ["refuses a duration given as --expires, pointing to --duration", { expires: "24h" }, "for a length of time use --duration 24h"],
    ["refuses an expiry that is now", { expires: "2026-03-01T08:00:00Z" }, "--expires: 2026-03-01T08:00:00Z is in the past"],
  ])("%s", (_name, flags, message) => {
    expect(() => parseBlockLifetime(flags, NOW)).toThrow(UsageError);
    expect(() => parseBlockLifetime(flags, NOW)).toThrow(message);
  });
});

describe("parseReason", () => {
  it("trims the reason", () => expect(parseReason("  Suspicious activity ")).toBe("Suspicious activity"));
  it.each([undefined, "", "   "])("refuses %j, saying how to give one", (reason) => expect(() => parseReason(reason)).toThrow('say why with --reason, such as --reason "Suspicious activity"'));
  it("refuses a reason longer than the CRD allows", () => expect(() => parseReason("x".repeat(1025))).toThrow("--reason is 1025 characters long; at most 1024"));
});

describe("blockSpec", () => {
  const target = parseBlockTarget("203.0.113.42");
  it.each<[string, ReturnType<typeof parseBlockLifetime>, boolean, object]>([
    ["keeps a new rule's duration, counted from its creation", { kind: "duration", duration: "24h", ms: 86_400_000 }, false, { duration: "24h" }],
    ["turns a renewed rule's duration into an expiry from now", { kind: "duration", duration: "24h", ms: 86_400_000 }, true, { expiresAt: "2026-03-02T08:00:00Z" }],
    ["keeps an expiry as given", { kind: "until", expiresAt: "2026-04-01T00:00:00Z" }, true, { expiresAt: "2026-04-01T00:00:00Z" }],
    ["sets neither for a block for good", { kind: "forever" }, true, {}],
  ])("%s", (_name, lifetime, renewing, until) => {
    expect(blockSpec({ target, reason: "r", lifetime, renewing, nowMs: NOW })).toEqual({ cidr: "203.0.113.42", reason: "r", source: "manual", ...until });
  });

  it.each<[ReturnType<typeof parseBlockLifetime>, string]>([
    [{ kind: "duration", duration: "24h", ms: 0 }, "for 24h"],
    [{ kind: "until", expiresAt: "2026-04-01T00:00:00Z" }, "until 2026-04-01T00:00:00Z"],
    [{ kind: "forever" }, "for good"],
  ])("says how long: %j", (lifetime, text) => expect(lifetimeText(lifetime)).toBe(text));
});
