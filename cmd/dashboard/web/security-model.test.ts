import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../../api/client/audit/event.js";
import type { SecurityCheckItem } from "../../../api/types/security-check-api.js";
import { alertRows, failingItems, scoreLevel } from "./security-model.js";

const item = (id: string, severity: SecurityCheckItem["severity"], result: SecurityCheckItem["result"]): SecurityCheckItem => ({ id, title: id, section: "Network", severity, result, evidence: "", remediation: `fix ${id}` });
const entry = (seq: number, type: string, details: AuditEntry["details"]): AuditEntry => ({ seq, time: "2026-11-29T12:00:00.000Z", type, actor: "system:alerts", sourceIp: "", resource: null, outcome: "success", details });

describe("failingItems", () => {
  it("keeps failures only, most severe first, in the server's order within a severity", () => {
    const items = [item("a", "low", "fail"), item("b", "critical", "pass"), item("c", "high", "fail"), item("d", "critical", "fail"), item("e", "high", "fail"), item("f", "medium", "n/a")];
    expect(failingItems(items).map((i) => i.id)).toEqual(["d", "c", "e", "a"]);
  });
});

describe("scoreLevel", () => {
  it.each([
    [100, "ok"],
    [90, "ok"],
    [89, "warn"],
    [60, "warn"],
    [59, "critical"],
    [0, "critical"],
  ] as const)("calls %i%% %s", (percent, level) => {
    expect(scoreLevel(percent)).toBe(level);
  });
});

describe("alertRows", () => {
  it("reads rule, subject and count out of security.alert entries, newest first, and skips other types", () => {
    const rows = alertRows([
      entry(3, "security.alert", { rule: "failed_logins_per_user", subject: "alice", count: 5 }),
      entry(4, "auth.login", { rule: "nope" }),
      entry(7, "security.alert", { rule: "secret_access_denied", subject: "bob → db", count: 1 }),
    ]);
    expect(rows.map((r) => [r.seq, r.rule, r.subject, r.count])).toEqual([
      [7, "secret_access_denied", "bob → db", 1],
      [3, "failed_logins_per_user", "alice", 5],
    ]);
  });

  it("reads missing or mistyped details as empty", () => {
    expect(alertRows([entry(1, "security.alert", { rule: 5, count: "many" })]).map((r) => [r.rule, r.subject, r.count])).toEqual([["", "", 0]]);
  });
});
