import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["reads days as in an API key's 90d", "90d", 90 * 86_400_000],
    ["reads hours as in a block's 24h", "24h", 86_400_000],
    ["reads a certificate's 8760h", "8760h", 8760 * 3_600_000],
    ["adds up several parts", "1h30m", 5_400_000],
    ["reads seconds", "45s", 45_000],
  ])("%s", (_name, text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["refuses a zero duration", "0h"],
    ["refuses a unit it does not know", "3w"],
    ["refuses a number without a unit", "90"],
    ["refuses Go's fractions", "1.5h"],
    ["refuses an empty string", ""],
  ])("%s", (_name, text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration; write a number and a unit/);
  });
});

describe("formatDuration", () => {
  it.each([
    ["writes whole days", 90 * 86_400_000, "90d"],
    ["writes mixed units largest first", 5_400_000, "1h30m"],
    ["drops milliseconds", 61_500, "1m1s"],
  ])("%s", (_name, ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(Math.floor(ms / 1000) * 1000);
  });

  it("refuses less than a second", () => {
    expect(() => formatDuration(999)).toThrow(RangeError);
  });
});
