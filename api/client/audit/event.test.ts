import { describe, expect, it } from "vitest";
import { auditTime, memoAuditTime } from "./event.js";

describe("memoAuditTime", () => {
  const cases: [string, number][] = [
    ["formats the epoch", 0],
    ["pads milliseconds below 10", Date.UTC(2026, 10, 29, 20, 45, 1, 7)],
    ["pads milliseconds below 100", Date.UTC(2026, 10, 29, 20, 45, 1, 42)],
    ["keeps three-digit milliseconds", Date.UTC(2026, 10, 29, 20, 45, 1, 999)],
    ["formats the last millisecond of year 9999", 253_402_300_799_999],
    ["falls back for a six-digit year", 253_402_300_800_000],
    ["falls back for a time before 1970", -1],
    ["falls back for a fractional millisecond", 1_700_000_000_000.5],
  ];
  it.each(cases)("%s as toISOString does", (_name, ms) => {
    expect(memoAuditTime()(ms)).toBe(auditTime(ms));
  });

  it("gives toISOString's text for every millisecond of a run crossing seconds, repeated or not", () => {
    const format = memoAuditTime();
    const start = Date.UTC(2026, 10, 29, 23, 59, 58, 990);
    for (let ms = start; ms < start + 2_100; ms += 7) {
      expect(format(ms)).toBe(new Date(ms).toISOString());
      expect(format(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
