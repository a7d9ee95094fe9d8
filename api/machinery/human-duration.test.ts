import { describe, expect, it } from "vitest";
import { humanAge, humanDuration } from "./human-duration.js";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe("humanDuration", () => {
  const cases: { name: string; ms: number; expected: string }[] = [
    { name: "calls more than 2 s in the future invalid", ms: -2 * s, expected: "<invalid>" },
    { name: "calls slight clock skew now", ms: -1500, expected: "0s" },
    { name: "shows seconds up to two minutes", ms: 119 * s, expected: "119s" },
    { name: "shows whole minutes under ten minutes", ms: 3 * m, expected: "3m" },
    { name: "shows minutes and seconds under ten minutes", ms: 3 * m + 12 * s, expected: "3m12s" },
    { name: "shows minutes under three hours", ms: 2 * h + 59 * m, expected: "179m" },
    { name: "shows hours and minutes under eight hours", ms: 5 * h + 30 * m, expected: "5h30m" },
    { name: "shows whole hours under eight hours", ms: 5 * h, expected: "5h" },
    { name: "shows hours under two days", ms: 47 * h, expected: "47h" },
    { name: "shows days and hours under eight days", ms: 3 * d + 4 * h, expected: "3d4h" },
    { name: "shows days under two years", ms: 400 * d, expected: "400d" },
    { name: "shows years and days under eight years", ms: (2 * 365 + 10) * d, expected: "2y10d" },
    { name: "shows years beyond", ms: 9 * 365 * d, expected: "9y" },
  ];
  it.each(cases)("$name", ({ ms, expected }) => {
    expect(humanDuration(ms)).toBe(expected);
  });
});

describe("humanAge", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  it("measures from an RFC 3339 timestamp", () => expect(humanAge("2026-01-01T11:55:00Z", now)).toBe("5m"));
  it("calls a non-RFC 3339 timestamp invalid", () => expect(humanAge("yesterday", now)).toBe("<invalid>"));
});
