// `claw security check`'s rendering: the score line, the table, colour only on a terminal without NO_COLOR, and
// the answer checked before it is trusted.

import { describe, expect, it } from "vitest";
import { scoreOf, type SecurityCheckItem, type SecurityCheckReport } from "../../../api/types/security-check-api.js";
import { useColour } from "./pki-list-command.js";
import { renderSecurityCheck, securityCheckReport } from "./security-check-command.js";

const item = (id: string, result: SecurityCheckItem["result"], severity: SecurityCheckItem["severity"] = "high"): SecurityCheckItem => ({ id, title: `the ${id} item`, section: "Network", severity, result, evidence: `${id} evidence`, remediation: `fix ${id}` });
const report = (items: SecurityCheckItem[]): SecurityCheckReport => ({ apiVersion: "security.clawbernetes.com/v1", kind: "SecurityCheck", checkedAt: "2026-06-01T00:00:00Z", score: scoreOf(items), items });
const sample = report([item("tls", "pass", "critical"), item("ddos", "fail"), item("mesh", "n/a", "medium"), item("geo", "fail", "low")]);

describe("renderSecurityCheck", () => {
  it("prints the score, a row per item, then each failure with its evidence and fix, most severe first", () => {
    const text = renderSecurityCheck(sample, { colour: false });
    expect(text.split("\n").slice(0, 7)).toEqual([
      "Security score: 33% (1 of 3 applicable checks pass; 1 n/a)",
      "",
      "RESULT   SEVERITY   ID     TITLE",
      "PASS     critical   tls    the tls item",
      "FAIL     high       ddos   the ddos item",
      "N/A      medium     mesh   the mesh item",
      "FAIL     low        geo    the geo item",
    ]);
    expect(text).toContain("Failing:\n  ddos (high): ddos evidence\n    fix: fix ddos\n  geo (low): geo evidence\n    fix: fix geo\n");
    expect(text).toContain("Not applicable:\n  mesh: mesh evidence\n");
  });

  it("colours RESULT cells without moving the columns", () => {
    const text = renderSecurityCheck(sample, { colour: true });
    expect(text).toContain("\u001b[32mPASS\u001b[0m     critical   tls");
    expect(text).toContain("\u001b[31mFAIL\u001b[0m     high       ddos");
    expect(text).toContain("\u001b[33mFAIL\u001b[0m     low        geo");
    expect(text.replace(/\u001b\[\d+m/g, "")).toBe(renderSecurityCheck(sample, { colour: false }));
  });
});

describe("colour", () => {
  it.each([
    { name: "is on at a terminal", tty: true, env: {}, colour: true },
    { name: "is off when NO_COLOR is set", tty: true, env: { NO_COLOR: "1" }, colour: false },
    { name: "is off when output is not a terminal", tty: false, env: {}, colour: false },
  ])("$name", ({ tty, env, colour }) => {
    const stdout = { write: () => true, isTTY: tty };
    expect(useColour(stdout, env)).toBe(colour);
  });
});

describe("securityCheckReport", () => {
  it("accepts a well-formed answer", () => {
    expect(securityCheckReport(JSON.parse(JSON.stringify(sample)), "/p")).toEqual(sample);
  });
  it.each([
    { name: "refuses an unknown result", body: { ...sample, items: [{ ...item("x", "pass"), result: "maybe" }] }, field: "items\\[\\].result" },
    { name: "refuses a missing score", body: { ...sample, score: undefined }, field: "body" },
    { name: "refuses items that are not a list", body: { ...sample, items: {} }, field: "items" },
  ])("$name", ({ body, field }) => {
    expect(() => securityCheckReport(body, "/p")).toThrow(new RegExp(`no valid ${field}`));
  });
});
