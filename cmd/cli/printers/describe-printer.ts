// `claw describe`: metadata, spec and status as indented YAML-like text, and a table of conditions.

import type { Condition, KubeObject } from "../../../api/machinery/meta.js";
import { ageOf, relativeTime } from "./age.js";

export function describeObject(obj: KubeObject, nowMs: number): string {
  const meta = obj.metadata;
  const lines: string[] = [];
  const field = (label: string, value: string | undefined) => {
    if (value !== undefined) lines.push(`${`${label}:`.padEnd(20)}${value}`);
  };
  const when = (ts: string | undefined) => (ts ? `${ts}${sinceOrUntil(ts, nowMs)}` : undefined);
  field("Name", meta.name);
  field("Kind", obj.kind);
  field("API Version", obj.apiVersion);
  mapField(lines, "Labels", meta.labels);
  mapField(lines, "Annotations", meta.annotations);
  field("Created", when(meta.creationTimestamp));
  field("Deleting Since", when(meta.deletionTimestamp));
  field("Finalizers", meta.finalizers?.length ? meta.finalizers.join(", ") : undefined);
  field("Generation", meta.generation === undefined ? undefined : String(meta.generation));
  field("Resource Version", meta.resourceVersion);
  field("UID", meta.uid);

  lines.push(...section("Spec", obj.spec));
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const { conditions, ...rest } = status;
  lines.push(...section("Status", rest));
  lines.push(...conditionLines(Array.isArray(conditions) ? (conditions as Condition[]) : [], nowMs));
  return `${lines.join("\n")}\n`;
}

function mapField(lines: string[], label: string, map: Record<string, string> | undefined): void {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const pad = " ".repeat(20);
  if (entries.length === 0) return void lines.push(`${`${label}:`.padEnd(20)}<none>`);
  entries.forEach(([k, v], i) => lines.push(`${i === 0 ? `${label}:`.padEnd(20) : pad}${k}=${v}`));
}

function section(title: string, value: unknown): string[] {
  const empty = value === undefined || value === null || (typeof value === "object" && Object.keys(value).length === 0);
  if (empty) return [`${title}:`.padEnd(20) + "<none>"];
  return [`${title}:`, ...renderValue(value, 2)];
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== "object" || (Array.isArray(v) && v.length === 0) || Object.keys(v).length === 0;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "<none>";
  if (Array.isArray(v)) return "[]";
  if (typeof v === "object") return "{}";
  return String(v);
}

/** YAML-like lines at `indent` spaces: scalars aligned within a mapping, lists as `- item`. */
export function renderValue(value: unknown, indent: number): string[] {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (isScalar(item)) return scalarLines(`${pad}- `, item, indent + 2);
      const inner = renderValue(item, indent + 2);
      return [`${pad}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
    });
  }
  if (value === null || typeof value !== "object") return scalarLines(pad, value, indent);
  const entries = Object.entries(value as Record<string, unknown>);
  const width = Math.max(0, ...entries.filter(([, v]) => isScalar(v)).map(([k]) => k.length + 1));
  return entries.flatMap(([key, v]) =>
    isScalar(v) ? scalarLines(`${pad}${`${key}:`.padEnd(width)}  `, v, indent + 2) : [`${pad}${key}:`, ...renderValue(v, indent + 2)],
  );
}

function scalarLines(prefix: string, value: unknown, indent: number): string[] {
  const text = scalar(value);
  if (!text.includes("\n")) return [`${prefix}${text}`];
  const pad = " ".repeat(indent);
  return [`${prefix}|`, ...text.replace(/\n$/, "").split("\n").map((l) => `${pad}${l}`)];
}

function conditionLines(conditions: Condition[], nowMs: number): string[] {
  if (conditions.length === 0) return ["Conditions:".padEnd(20) + "<none>"];
  const header = ["Type", "Status", "Reason", "Message", "Last Transition"];
  const rows = conditions.map((c) => [
    c.type ?? "",
    c.status ?? "",
    c.reason || "<none>",
    (c.message || "<none>").replace(/\s*\n\s*/g, " "),
    lastTransition(c.lastTransitionTime, nowMs),
  ]);
  const all = [header, header.map((h) => "-".repeat(h.length)), ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return ["Conditions:", ...all.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join("")}`.trimEnd())];
}

/** " (5m ago)", or " (in 89d)" for a time ahead; "" when `ts` is no timestamp. */
function sinceOrUntil(ts: string, nowMs: number): string {
  const relative = relativeTime(ts, nowMs);
  return relative === undefined ? "" : relative.startsWith("in ") ? ` (${relative})` : ` (${relative} ago)`;
}

function lastTransition(ts: string | undefined, nowMs: number): string {
  if (!ts) return "<unknown>";
  const age = ageOf(ts, nowMs);
  return age ? `${age} ago` : ts;
}
