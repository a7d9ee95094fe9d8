// `claw security check`: the guide's Security Checklist judged by the server against the live deployment. A score
// (passed / applicable), a table coloured on a terminal unless NO_COLOR is set, what fails with its evidence and
// fix; `-o json` for CI. Exit 1 when a critical item fails.

import type { Command } from "commander";
import { criticalFailed, securityCheckPath, SEVERITY_ORDER, type SecurityCheckItem, type SecurityCheckReport } from "../../../api/types/security-check-api.js";
import { malformed, num, shape, str } from "../answer-shape.js";
import { runAction } from "../cli-action.js";
import { ReportedFailure, UsageError } from "../cli-errors.js";
import { ExitCode } from "../exit-codes.js";
import type { SecurityCommandContext } from "./security-context.js";
import { useColour } from "./pki-list-command.js";

const COLOURS = { green: "\u001b[32m", red: "\u001b[31m", yellow: "\u001b[33m", dim: "\u001b[2m", bold: "\u001b[1m", reset: "\u001b[0m" } as const;
const RESULTS: readonly SecurityCheckItem["result"][] = ["pass", "fail", "n/a"];

export function addCheckCommand(security: Command, ctx: SecurityCommandContext): void {
  const { session } = ctx;
  security
    .command("check")
    .description("judge the guide's Security Checklist against the live deployment: score, items, evidence, fixes (needs *:admin); exit 1 when a critical item fails")
    .option("-o, --output <format>", "table (default) or json")
    .action(
      runAction(session, async (flags: { output?: string }) => {
        const output = flags.output ?? "table";
        if (output !== "table" && output !== "json") throw new UsageError(`unknown output format "${output}"; use table or json`);
        const raw = await (await session.client()).requestJson<unknown>({ method: "GET", path: securityCheckPath, signal: session.deps.signal });
        const report = securityCheckReport(raw, securityCheckPath);
        session.out(output === "json" ? `${JSON.stringify(report, null, 2)}\n` : renderSecurityCheck(report, { colour: useColour(session.deps.stdout, session.deps.env) }));
        if (criticalFailed(report.items)) throw new ReportedFailure(ExitCode.Failure);
      }),
    );
}

/** A SecurityCheckReport from an answer, every field checked. */
export function securityCheckReport(raw: unknown, path: string): SecurityCheckReport {
  const body = shape(raw, path);
  const score = shape(body.score, path);
  if (!Array.isArray(body.items)) throw malformed(path, "items");
  const items = body.items.map((entry): SecurityCheckItem => {
    const item = shape(entry, path);
    const severity = SEVERITY_ORDER.find((s) => s === item.severity);
    const result = RESULTS.find((r) => r === item.result);
    if (!severity) throw malformed(path, "items[].severity");
    if (!result) throw malformed(path, "items[].result");
    return { id: str(item, "id", path), title: str(item, "title", path), section: str(item, "section", path), severity, result, evidence: str(item, "evidence", path), remediation: str(item, "remediation", path) };
  });
  return {
    apiVersion: "security.clawbernetes.com/v1",
    kind: "SecurityCheck",
    checkedAt: str(body, "checkedAt", path),
    score: { passed: num(score, "passed", path), applicable: num(score, "applicable", path), percent: num(score, "percent", path) },
    items,
  };
}

const resultColour = (item: SecurityCheckItem): string => (item.result === "pass" ? COLOURS.green : item.result === "n/a" ? COLOURS.dim : item.severity === "critical" || item.severity === "high" ? COLOURS.red : COLOURS.yellow);

/** The score, a table (RESULT coloured after layout so escapes never count towards widths), then each failure's evidence and fix. */
export function renderSecurityCheck(report: SecurityCheckReport, opts: { colour: boolean }): string {
  const paint = (text: string, colour: string) => (opts.colour ? `${colour}${text}${COLOURS.reset}` : text);
  const { passed, applicable, percent } = report.score;
  const lines = [`Security score: ${paint(`${percent}%`, COLOURS.bold)} (${passed} of ${applicable} applicable checks pass; ${report.items.length - applicable} n/a)`, ""];
  const header = ["RESULT", "SEVERITY", "ID", "TITLE"];
  const rows = report.items.map((i) => [i.result.toUpperCase(), i.severity, i.id, i.title]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join("   ");
  lines.push(line(header));
  rows.forEach((row, i) => {
    const item = report.items[i]!;
    const text = line(row);
    lines.push(paint(text.slice(0, row[0]!.length), resultColour(item)) + text.slice(row[0]!.length));
  });
  const failures = report.items.filter((i) => i.result === "fail").sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  if (failures.length > 0) {
    lines.push("", "Failing:");
    for (const f of failures) lines.push(`  ${paint(f.id, resultColour(f))} (${f.severity}): ${f.evidence}`, `    fix: ${f.remediation}`);
  }
  const unknown = report.items.filter((i) => i.result === "n/a");
  if (unknown.length > 0) {
    lines.push("", "Not applicable:");
    for (const u of unknown) lines.push(`  ${u.id}: ${u.evidence}`);
  }
  return `${lines.join("\n")}\n`;
}
