// A kubectl-style table from rows the command computed itself (the auth commands' list views).

import type { Table } from "../../../api/client/api-types.js";
import { TablePrinter } from "./table-printer.js";

export interface RowColumn {
  name: string;
  /** `date` cells are shown as ages. Default `string`. */
  type?: "string" | "date";
}

/** The table's lines, header first (callers say "No resources found" themselves when there are no rows). */
export function renderRows(columns: RowColumn[], rows: unknown[][], nowMs: number): string {
  const table: Table = {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: {},
    columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type ?? "string" })),
    rows: rows.map((cells) => ({ cells })),
  };
  return `${new TablePrinter({ wide: false, nowMs }).render(table).join("\n")}\n`;
}
