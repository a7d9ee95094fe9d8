// `-o custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status`: a table
// whose columns are JSONPath expressions (kubectl's relaxed form: the braces and leading dot optional).

import type { KubeObject } from "../../../api/machinery/meta.js";
import { UsageError } from "../cli-errors.js";
import { formatValue, JsonPathTemplate } from "./jsonpath.js";

export interface CustomColumn {
  header: string;
  path: JsonPathTemplate;
}

/** Splits the spec at commas outside brackets, parentheses and quotes, each part `HEADER:PATH`. */
export function parseCustomColumns(spec: string): CustomColumn[] {
  const parts = splitTopLevel(spec);
  if (parts.length === 0 || parts.every((p) => p.trim() === "")) throw new UsageError("custom-columns needs at least one HEADER:PATH, e.g. NAME:.metadata.name");
  return parts.map((part) => {
    const colon = part.indexOf(":");
    if (colon <= 0) throw new UsageError(`custom-columns "${part}": expected HEADER:PATH, e.g. NAME:.metadata.name`);
    return { header: part.slice(0, colon).trim(), path: JsonPathTemplate.parse(relaxed(part.slice(colon + 1).trim())) };
  });
}

/** `metadata.name`, `.metadata.name` and `{.metadata.name}` are the same column. */
function relaxed(path: string): string {
  if (path.startsWith("{") && path.endsWith("}")) return path;
  return `{${path.startsWith(".") || path.startsWith("[") ? path : `.${path}`}}`;
}

function splitTopLevel(spec: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = "";
  for (const c of spec) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "(" || c === "{") depth++;
    else if (c === "]" || c === ")" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(current);
      current = "";
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}

/** The cells of one object: several values joined by commas, `<none>` when the path finds nothing. */
export function customColumnCells(columns: CustomColumn[], obj: KubeObject): string[] {
  return columns.map((c) => {
    const values = c.path.values(obj) ?? [c.path.execute(obj)];
    const shown = values.filter((v) => v !== undefined && v !== null).map(formatValue);
    return shown.length ? shown.join(",") : "<none>";
  });
}

/** The whole table, kubectl's way: columns padded by three spaces, headers as given. */
export function renderCustomColumns(columns: CustomColumn[], objects: KubeObject[], opts: { noHeaders: boolean; widths?: number[]; event?: string }): { lines: string[]; widths: number[] } {
  const event = opts.event;
  const rows = objects.map((o) => [...(event ? [event] : []), ...customColumnCells(columns, o)]);
  const all = opts.noHeaders ? rows : [[...(event ? ["EVENT"] : []), ...columns.map((c) => c.header)], ...rows];
  const widths = all[0] ? all[0].map((_, i) => Math.max(opts.widths?.[i] ?? 0, ...all.map((r) => r[i]!.length))) : [];
  const lines = all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join(""));
  return { lines, widths };
}
