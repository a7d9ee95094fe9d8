import { describe, expect, it } from "vitest";
import { ageOf, humanDuration, relativeTime } from "./age.js";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe("humanDuration", () => {
  it.each([
    { name: "shows seconds under two minutes", ms: 119 * s, want: "119s" },
    { name: "shows zero for a moment in the near future", ms: -500, want: "0s" },
    { name: "marks a time far in the future as invalid", ms: -5 * s, want: "<invalid>" },
    { name: "shows minutes and seconds under ten minutes", ms: 5 * m + 7 * s, want: "5m7s" },
    { name: "shows whole minutes without seconds", ms: 5 * m, want: "5m" },
    { name: "shows minutes only under three hours", ms: 150 * m + 30 * s, want: "150m" },
    { name: "shows hours and minutes under eight hours", ms: 3 * h + 12 * m, want: "3h12m" },
    { name: "shows hours under two days", ms: 30 * h + 5 * m, want: "30h" },
    { name: "shows days and hours under eight days", ms: 2 * d + 3 * h, want: "2d3h" },
    { name: "shows whole days", ms: 2 * d, want: "2d" },
    { name: "shows days under two years", ms: 400 * d, want: "400d" },
    { name: "shows years and days under eight years", ms: 3 * 365 * d + 10 * d, want: "3y10d" },
    { name: "shows years past eight years", ms: 9 * 365 * d, want: "9y" },
  ])("$name", ({ ms, want }) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe("ageOf", () => {
  const now = Date.parse("2026-01-01T01:00:00Z");
  it.each([
    { name: "renders an RFC 3339 timestamp as an age", ts: "2026-01-01T00:55:00Z", want: "5m" },
    { name: "leaves text that is not a timestamp alone", ts: "5m", want: undefined },
    { name: "leaves a malformed timestamp alone", ts: "2026-13-45T99:00:00Z", want: undefined },
  ])("$name", ({ ts, want }) => {
    expect(ageOf(ts, now)).toBe(want);
  });
});

describe("relativeTime", () => {
  const now = Date.parse("2026-01-01T01:00:00Z");
  it.each([
    { name: "renders a time past as its age", ts: "2026-01-01T00:55:00Z", want: "5m" },
    { name: "renders a time ahead as how far ahead it is", ts: "2026-01-03T04:00:00Z", want: "in 2d3h" },
    { name: "renders a moment ahead (clock skew) as now", ts: "2026-01-01T01:00:01Z", want: "0s" },
    { name: "leaves text that is not a timestamp alone", ts: "soon", want: undefined },
  ])("$name", ({ ts, want }) => {
    expect(relativeTime(ts, now)).toBe(want);
  });
});
