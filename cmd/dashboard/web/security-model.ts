// What the security panels show, computed without the DOM: the security check's failing items in order of
// severity, and the alert rows read out of security.alert audit entries. Pure, so security-model.test.ts covers it.

import type { AuditEntry } from "../../../api/client/audit/event.js";
import type { SecurityCheckItem, SecurityCheckSeverity } from "../../../api/types/security-check-api.js";

// The contract's SEVERITY_ORDER cannot be imported at run time (the browser loads only this folder's modules).
const SEVERITY_RANK: Readonly<Record<SecurityCheckSeverity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Failed items, most severe first, in the server's order within a severity. */
export const failingItems = (items: readonly SecurityCheckItem[]): SecurityCheckItem[] =>
  items
    .map((item, i) => ({ item, i }))
    .filter(({ item }) => item.result === "fail")
    .sort((a, b) => SEVERITY_RANK[a.item.severity] - SEVERITY_RANK[b.item.severity] || a.i - b.i)
    .map(({ item }) => item);

/** The score bar's colour: green from 90 %, amber from 60 %, red below. */
export const scoreLevel = (percent: number): "ok" | "warn" | "critical" => (percent >= 90 ? "ok" : percent >= 60 ? "warn" : "critical");

export interface AlertRow {
  seq: number;
  rule: string;
  subject: string;
  count: number;
  /** ms since the epoch. */
  at: number;
}

/** One row per security.alert entry, newest first; details the entry lacks read as "" or 0. */
export function alertRows(entries: readonly AuditEntry[]): AlertRow[] {
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return entries
    .filter((e) => e.type === "security.alert")
    .map((e) => ({ seq: e.seq, rule: text(e.details.rule), subject: text(e.details.subject), count: typeof e.details.count === "number" ? e.details.count : 0, at: Date.parse(e.time) }))
    .sort((a, b) => b.seq - a.seq);
}
