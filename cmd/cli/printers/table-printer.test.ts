import { describe, expect, it } from "vitest";
import type { Table } from "../../../api/client/api-types.js";
import { asTable, TablePrinter } from "./table-printer.js";

const now = Date.parse("2026-01-01T01:00:00Z");
const table = (rows: unknown[][]): Table => ({
  kind: "Table",
  apiVersion: "meta.k8s.io/v1",
  metadata: { resourceVersion: "7" },
  columnDefinitions: [
    { name: "Name", type: "string", format: "name" },
    { name: "Description", type: "string" },
    { name: "Age", type: "date" },
    { name: "Permissions", type: "integer", priority: 1 },
  ],
  rows: rows.map((cells) => ({ cells })),
});

describe("TablePrinter", () => {
  it.each([
    {
      name: "prints upper-case headers and pads columns by three spaces, leaving out wide columns",
      wide: false,
      rows: [["ml-engineer", "ML people", "2026-01-01T00:55:00Z", 3], ["viewer", "read only", "2025-12-30T01:00:00Z", 1]],
      want: ["NAME          DESCRIPTION   AGE", "ml-engineer   ML people     5m", "viewer        read only     2d"],
    },
    {
      name: "shows priority columns with -o wide",
      wide: true,
      rows: [["a", "x", "2026-01-01T00:00:00Z", 2]],
      want: ["NAME   DESCRIPTION   AGE   PERMISSIONS", "a      x             60m   2"],
    },
    {
      name: "prints <none> for empty cells and cuts a cell at its first line break",
      wide: false,
      rows: [["a", null, "2026-01-01T00:59:30Z"], ["b", "line one\nline two", "not a date"]],
      want: ["NAME   DESCRIPTION   AGE", "a      <none>        30s", "b      line one...   not a date"],
    },
    {
      name: "shows a date ahead, such as an expiry, as how far ahead it is",
      wide: false,
      rows: [["a", "x", "2026-03-31T12:00:00Z"], ["b", "x", "2026-01-01T01:00:01Z"]],
      want: ["NAME   DESCRIPTION   AGE", "a      x             in 89d", "b      x             0s"],
    },
  ])("$name", ({ wide, rows, want }) => {
    expect(new TablePrinter({ wide, nowMs: now }).render(table(rows))).toEqual(want);
  });

  it("keeps the widths of rows printed earlier when more rows come (get -w)", () => {
    const printer = new TablePrinter({ wide: false, nowMs: now });
    printer.render(table([["a-long-name", "d", "2026-01-01T00:55:00Z"]]));
    expect(printer.renderRows(table([["b", "d", "2026-01-01T00:59:00Z"]]))).toEqual(["b             d             60s"]);
  });

  it("leaves the header out with noHeaders", () => {
    expect(new TablePrinter({ wide: false, nowMs: now, noHeaders: true }).render(table([["a", "d", null]]))).toEqual(["a   d   <none>"]);
  });
});

describe("asTable", () => {
  it("builds Name and Age rows from a plain list", () => {
    const t = asTable({ kind: "RoleList", metadata: { resourceVersion: "3" }, items: [{ metadata: { name: "a", creationTimestamp: "2026-01-01T00:00:00Z" } }] });
    expect(t.metadata.resourceVersion).toBe("3");
    expect(new TablePrinter({ wide: false, nowMs: now }).render(t)).toEqual(["NAME   AGE", "a      60m"]);
  });
});
