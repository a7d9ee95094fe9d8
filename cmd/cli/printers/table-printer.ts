// kubectl-like tables: upper-case headers, columns padded by three spaces, `<none>` for empty cells,
// date columns shown as ages ("in 89d" for a time ahead). Widths only grow, so rows printed later
// (`get -w`) stay aligned.

import { isTable, type Table, type TableColumnDefinition, type TableRow } from "../../../api/client/api-types.js";
import type { KubeList, KubeObject } from "../../../api/machinery/meta.js";
import { relativeTime } from "./age.js";

export interface TablePrinterOptions {
  /** Show columns of priority above 0 (`-o wide`). */
  wide: boolean;
  nowMs: number;
  noHeaders?: boolean;
}

export class TablePrinter {
  private widths: number[] = [];
  private visible: number[] = [];
  private columns: TableColumnDefinition[] = [];

  constructor(private readonly opts: TablePrinterOptions) {}

  /** Lines for a whole table, header first. */
  render(table: Table): string[] {
    this.setColumns(table.columnDefinitions);
    const header = this.visible.map((i) => this.columns[i]!.name.toUpperCase());
    const rows = table.rows.map((row) => this.cellsOf(row));
    this.grow(this.opts.noHeaders ? rows : [header, ...rows]);
    return [...(this.opts.noHeaders ? [] : [this.line(header)]), ...rows.map((r) => this.line(r))];
  }

  /** Lines for more rows of a table already rendered (or of this table's columns, when none was). */
  renderRows(table: Table): string[] {
    if (this.columns.length === 0) return this.render(table);
    const rows = table.rows.map((row) => this.cellsOf(row));
    this.grow(rows);
    return rows.map((r) => this.line(r));
  }

  private setColumns(columns: TableColumnDefinition[]): void {
    this.columns = columns;
    this.visible = columns.flatMap((c, i) => (this.opts.wide || !c.priority ? [i] : []));
  }

  private cellsOf(row: TableRow): string[] {
    return this.visible.map((i) => formatCell(row.cells[i], this.columns[i]!, this.opts.nowMs));
  }

  private grow(lines: string[][]): void {
    for (const cells of lines) cells.forEach((c, i) => (this.widths[i] = Math.max(this.widths[i] ?? 0, c.length)));
  }

  private line(cells: string[]): string {
    return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd((this.widths[i] ?? 0) + 3))).join("").trimEnd();
  }
}

export function formatCell(value: unknown, column: TableColumnDefinition, nowMs: number): string {
  if (value === null || value === undefined || value === "") return "<none>";
  if (column.type === "date" && typeof value === "string") return relativeTime(value, nowMs) ?? value;
  if (Array.isArray(value)) return value.length === 0 ? "<none>" : value.map(String).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  const text = String(value);
  // kubectl cuts a cell at its first line break.
  const br = text.search(/[\r\n\f]/);
  return br >= 0 ? `${text.slice(0, br)}...` : text;
}

/** A Name/Age table built from plain objects, for a server that does not answer Table requests. */
export function tableFromObjects(objects: KubeObject[]): Table {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: {},
    columnDefinitions: [
      { name: "Name", type: "string", format: "name" },
      { name: "Age", type: "date" },
    ],
    rows: objects.map((o) => ({ cells: [o.metadata.name, o.metadata.creationTimestamp ?? null], object: o })),
  };
}

/** The object name a row stands for: its object's metadata, else its first cell. */
export const rowName = (row: TableRow): string => row.object?.metadata?.name ?? String(row.cells[0] ?? "");

/** A Table from whatever the server answered a Table request with (a plain object or list becomes Name/Age rows). */
export function asTable(response: unknown): Table {
  if (isTable(response)) return response;
  const value = response as Partial<KubeList> & Partial<KubeObject>;
  const table = tableFromObjects(Array.isArray(value.items) ? value.items : [value as KubeObject]);
  const resourceVersion = value.metadata?.resourceVersion;
  return resourceVersion ? { ...table, metadata: { resourceVersion } } : table;
}

/** `get -w --output-watch-events`: the table with an EVENT column first (ADDED, MODIFIED, DELETED). */
export function withEventColumn(table: Table, type: string): Table {
  return {
    ...table,
    columnDefinitions: [{ name: "Event", type: "string" }, ...table.columnDefinitions],
    rows: table.rows.map((row) => ({ ...row, cells: [type, ...row.cells] })),
  };
}
