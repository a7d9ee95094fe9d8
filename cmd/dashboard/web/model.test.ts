import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../../api/client/audit/event.js";
import type { ApiKey } from "../../../api/types/api-key.js";
import type { Certificate } from "../../../api/types/certificate.js";
import type { Secret } from "../../../api/types/secret.js";
import { expiringSoonest, needsMfaCode, secretsDue, securityTimeline, timeLeft } from "./model.js";

const NOW = Date.parse("2026-11-29T12:30:00Z");
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

const certificate = (name: string, notBefore: number, notAfter: number, modify: (c: Certificate) => void = () => {}): Certificate => {
  const c: Certificate = { apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name }, spec: { commonName: name }, status: { notBefore: iso(notBefore), notAfter: iso(notAfter) } };
  modify(c);
  return c;
};
const apiKey = (name: string, created: number, expires: number | undefined, phase: "Active" | "Revoked" = "Active"): ApiKey => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "ApiKey",
  metadata: { name, creationTimestamp: iso(created) },
  status: { phase, ...(expires !== undefined ? { expiresAt: iso(expires) } : {}) },
});
const secret = (name: string, autoRotate: boolean, next: number | undefined): Secret => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Secret",
  metadata: { name },
  spec: { rotation: { autoRotate, intervalDays: 30 } },
  status: next !== undefined ? { nextRotationAt: iso(next) } : {},
});
const login = (seq: number, at: number, outcome: AuditEntry["outcome"], type = "auth.login"): AuditEntry => ({ seq, time: iso(at), type, actor: "mallory", sourceIp: "", resource: null, outcome, details: {} });

describe("expiringSoonest", () => {
  it("orders certificates and keys by expiry, with the share of life left and an urgency", () => {
    const items = expiringSoonest({
      certificates: [certificate("ca", NOW - 100 * DAY, NOW + 3000 * DAY), certificate("gateway", NOW - 85 * DAY, NOW + 5 * DAY)],
      apiKeys: [apiKey("ci", NOW - 10 * DAY, NOW + 20 * DAY)],
      now: NOW,
      limit: 10,
    });
    expect(items.map((i) => [i.kind, i.name, i.level])).toEqual([
      ["Certificate", "gateway", "critical"],
      ["ApiKey", "ci", "warn"],
      ["Certificate", "ca", "ok"],
    ]);
    expect(items[0]!.remaining).toBeCloseTo(5 / 90);
    expect(items[1]!.remaining).toBeCloseTo(20 / 30);
  });

  it.each([
    ["leaves out a key that never expires", [], [apiKey("forever", NOW, undefined)], []],
    ["leaves out a revoked key", [], [apiKey("gone", NOW, NOW + DAY, "Revoked")], []],
    ["leaves out a revoked certificate", [certificate("old", NOW - DAY, NOW + DAY, (c) => (c.spec!.revoked = true))], [], []],
    ["shows an expired certificate with nothing left", [certificate("late", NOW - 10 * DAY, NOW - DAY)], [], [["late", 0]]],
  ])("%s", (_sentence, certificates, apiKeys, expected) => {
    expect(expiringSoonest({ certificates, apiKeys, now: NOW, limit: 10 }).map((i) => [i.name, i.remaining])).toEqual(expected);
  });

  it("keeps only the limit", () => {
    const many = Array.from({ length: 20 }, (_, i) => certificate(`c${i}`, NOW - DAY, NOW + (20 - i) * DAY));
    expect(expiringSoonest({ certificates: many, apiKeys: [], now: NOW, limit: 3 }).map((i) => i.name)).toEqual(["c19", "c18", "c17"]);
  });
});

describe("secretsDue", () => {
  it("lists auto-rotating secrets due within the window, overdue first, and no others", () => {
    const due = secretsDue({ secrets: [secret("later", true, NOW + 30 * DAY), secret("soon", true, NOW + 2 * DAY), secret("late", true, NOW - DAY), secret("manual", false, NOW + DAY), secret("unknown", true, undefined)], now: NOW, withinDays: 14 });
    expect(due.map((d) => [d.name, d.overdue])).toEqual([
      ["late", true],
      ["soon", false],
    ]);
  });
});

describe("securityTimeline", () => {
  const entry = (seq: number, at: number, type: string, outcome: AuditEntry["outcome"], details: AuditEntry["details"] = {}): AuditEntry => ({ ...login(seq, at, outcome, type), details });
  const cases: { name: string; entries: AuditEntry[]; want: { failures: number; blocks: number } }[] = [
    { name: "counts a refused login as a failed authentication", entries: [entry(1, NOW - 60_000, "auth.login", "failure")], want: { failures: 1, blocks: 0 } },
    { name: "does not count a successful login", entries: [entry(1, NOW - 60_000, "auth.login", "success")], want: { failures: 0, blocks: 0 } },
    { name: "counts a 401 (a wrong key or token) as a failed authentication", entries: [entry(1, NOW - 60_000, "security.violation", "failure", { status: 401 })], want: { failures: 1, blocks: 0 } },
    { name: "does not count a 403, which is not an authentication", entries: [entry(1, NOW - 60_000, "security.violation", "denied", { status: 403 })], want: { failures: 0, blocks: 0 } },
    { name: "counts a window's summary as the repeats it folded", entries: [entry(1, NOW - 120_000, "auth.login", "failure"), entry(2, NOW - 60_000, "auth.login", "failure", { repeated: 41 })], want: { failures: 42, blocks: 0 } },
    { name: "counts blocked requests apart, summaries by their repeats", entries: [entry(1, NOW - 60_000, "security.blocked", "denied"), entry(2, NOW - 30_000, "security.blocked", "denied", { repeated: 9 })], want: { failures: 0, blocks: 10 } },
    { name: "ignores other types", entries: [entry(1, NOW - 60_000, "auth.logout", "failure")], want: { failures: 0, blocks: 0 } },
  ];
  it.each(cases)("$name", ({ entries, want }) => {
    const buckets = securityTimeline({ entries, now: NOW, hours: 24 });
    expect({ failures: buckets.reduce((n, b) => n + b.failures, 0), blocks: buckets.reduce((n, b) => n + b.blocks, 0) }).toEqual(want);
  });

  it("buckets per hour, oldest first, ending with the current hour, and drops what is older than the window", () => {
    const buckets = securityTimeline({
      entries: [entry(1, NOW - 10 * 60_000, "auth.login", "failure"), entry(2, NOW - 5 * 60_000, "auth.login", "failure"), entry(3, NOW - 2 * 3_600_000, "auth.login", "failure"), entry(6, NOW - 30 * 3_600_000, "auth.login", "failure")],
      now: NOW,
      hours: 24,
    });
    expect(buckets).toHaveLength(24);
    expect(buckets.at(-1)).toEqual({ start: Date.parse("2026-11-29T12:00:00Z"), failures: 2, blocks: 0 });
    expect(buckets.at(-3)!.failures).toBe(1);
    expect(buckets.reduce((n, b) => n + b.failures, 0)).toBe(3);
  });
});

describe("needsMfaCode", () => {
  it.each([
    ["a 401 whose cause is MFARequired", 401, { details: { causes: [{ reason: "MFARequired", message: "enter the code" }] } }, true],
    ["a 401 for a wrong password", 401, { message: "Unauthorized: the username or password is not correct" }, false],
    ["a 403 with the cause (not a login answer)", 403, { details: { causes: [{ reason: "MFARequired" }] } }, false],
  ])("%s: %s", (_sentence, status, body, expected) => {
    expect(needsMfaCode(status, body)).toBe(expected);
  });
});

describe("timeLeft", () => {
  it.each([
    [3 * DAY + 5, "3d"],
    [5 * 3_600_000, "5h"],
    [12 * 60_000, "12m"],
    [10, "1m"],
    [0, "expired"],
    [-DAY, "expired"],
  ])("after %i ms reads %s", (left, text) => {
    expect(timeLeft(NOW, NOW + left)).toBe(text);
  });
});
