import { describe, expect, it } from "vitest";
import type { KubeObject } from "../machinery/meta.js";
import { cellFor, parseTableAccept, tableColumns, toTable } from "./table.js";
import { resourceInfo } from "./testing/resource-info-fixture.js";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const KUBECTL_GET_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

function role(name: string, modify: (o: KubeObject<Record<string, unknown>, Record<string, unknown>>) => void = () => {}): KubeObject {
  const obj: KubeObject<Record<string, unknown>, Record<string, unknown>> = {
    apiVersion: "security.clawbernetes.com/v1",
    kind: "Role",
    metadata: { name, uid: `uid-${name}`, resourceVersion: "7", creationTimestamp: "2026-01-01T11:55:00Z", labels: { team: "ml" } },
    spec: { description: `${name} role` },
    status: { conditions: [{ type: "Ready", status: "True", reason: "Valid", message: "", lastTransitionTime: "2026-01-01T11:55:00Z" }] },
  };
  modify(obj);
  return obj;
}

describe("tableColumns", () => {
  it("puts Name first with format name, then the printer columns with their priority", () => {
    expect(tableColumns(resourceInfo()).map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ["Name", "string", "name", 0],
      ["Description", "string", "", 0],
      ["Ready", "string", "", 1],
      ["Age", "date", "", 0],
    ]);
  });

  it("shows Age when the CRD declares no printer columns, as kube does", () => {
    const columns = tableColumns(resourceInfo((i) => (i.printerColumns = [])));
    expect(columns.map((c) => c.name)).toEqual(["Name", "Age"]);
  });

  it("keeps a column's description and format", () => {
    const info = resourceInfo((i) => (i.printerColumns = [{ name: "N", type: "integer", jsonPath: ".spec.n", description: "How many.", format: "int32" }]));
    expect(tableColumns(info)[1]).toEqual({ name: "N", type: "integer", format: "int32", description: "How many.", priority: 0 });
  });
});

describe("toTable", () => {
  const info = resourceInfo();

  it("makes one row per object with cells in column order and ages from now", () => {
    const table = toTable(info, [role("a"), role("b")], { includeObject: "None", now: NOW });
    expect(table.kind).toBe("Table");
    expect(table.apiVersion).toBe("meta.k8s.io/v1");
    expect(table.rows).toEqual([{ cells: ["a", "a role", "True", "5m"] }, { cells: ["b", "b role", "True", "5m"] }]);
  });

  it("leaves date cells as the timestamp when no time is given", () => {
    expect(toTable(info, [role("a")], { includeObject: "None" }).rows[0]!.cells[3]).toBe("2026-01-01T11:55:00Z");
  });

  it("carries PartialObjectMetadata for includeObject=Metadata, kube's default", () => {
    const row = toTable(info, [role("a")], { includeObject: "Metadata", now: NOW }).rows[0]!;
    expect(row.object).toEqual({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: role("a").metadata });
  });

  it("carries the whole object for includeObject=Object (kubectl --sort-by asks for it)", () => {
    expect(toTable(info, [role("a")], { includeObject: "Object", now: NOW }).rows[0]!.object).toEqual(role("a"));
  });

  it("sends every column when wide is not given, as kube-apiserver does", () => {
    expect(toTable(info, [role("a")], { includeObject: "None", now: NOW }).columnDefinitions).toHaveLength(4);
  });

  it("drops priority > 0 columns and their cells when wide is false (what kubectl shows without -o wide)", () => {
    const table = toTable(info, [role("a")], { includeObject: "None", now: NOW, wide: false });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Description", "Age"]);
    expect(table.rows[0]!.cells).toEqual(["a", "a role", "5m"]);
  });

  it("omits column definitions with noHeaders, for watch events after the first", () => {
    expect(toTable(info, [role("a")], { includeObject: "None", noHeaders: true }).columnDefinitions).toEqual([]);
  });

  it("carries the list metadata and the requested apiVersion", () => {
    const table = toTable(info, [], { includeObject: "None", listMeta: { resourceVersion: "42", continue: "c" }, apiVersion: "meta.k8s.io/v1beta1" });
    expect(table.metadata).toEqual({ resourceVersion: "42", continue: "c" });
    expect(table.apiVersion).toBe("meta.k8s.io/v1beta1");
    expect(table.rows).toEqual([]);
  });

  it("gives null cells for missing values", () => {
    const bare = role("a", (o) => {
      delete o.spec;
      delete o.status;
    });
    expect(toTable(info, [bare], { includeObject: "None", now: NOW }).rows[0]!.cells).toEqual(["a", null, null, "5m"]);
  });

  it("shows the first match of a [*] column, as kube does", () => {
    const listed = resourceInfo((i) => (i.printerColumns = [{ name: "First", type: "string", jsonPath: ".spec.items[*]" }]));
    const obj = role("a", (o) => (o.spec = { items: ["x", "y"] }));
    expect(toTable(listed, [obj], { includeObject: "None" }).rows[0]!.cells).toEqual(["a", "x"]);
  });
});

describe("cellFor", () => {
  const cases: { name: string; type: Parameters<typeof cellFor>[0]; value: unknown; expected: unknown }[] = [
    { name: "keeps a string in a string column", type: "string", value: "x", expected: "x" },
    { name: "prints a list in a string column as Go does", type: "string", value: ["a", "b"], expected: "[a b]" },
    { name: "prints an object in a string column as Go does, keys sorted", type: "string", value: { b: 1, a: "x" }, expected: "map[a:x b:1]" },
    { name: "prints a number in a string column", type: "string", value: 3, expected: "3" },
    { name: "prints a boolean in a string column", type: "string", value: false, expected: "false" },
    { name: "truncates a number in an integer column", type: "integer", value: 3.7, expected: 3 },
    { name: "gives null for a string in an integer column", type: "integer", value: "3", expected: null },
    { name: "keeps a number in a number column", type: "number", value: 2.5, expected: 2.5 },
    { name: "keeps a boolean in a boolean column", type: "boolean", value: true, expected: true },
    { name: "gives null for a string in a boolean column", type: "boolean", value: "true", expected: null },
    { name: "shows a date as an age", type: "date", value: "2026-01-01T07:00:00Z", expected: "5h" },
    { name: "shows a date ahead, such as an expiry, as how far ahead it is", type: "date", value: "2026-03-31T18:00:00Z", expected: "in 89d" },
    { name: "shows a date a moment ahead (clock skew) as now", type: "date", value: "2026-01-01T12:00:01Z", expected: "0s" },
    { name: "shows an unparsable date as invalid", type: "date", value: "soon", expected: "<invalid>" },
    { name: "shows the zero time as unknown", type: "date", value: "0001-01-01T00:00:00Z", expected: "<unknown>" },
    { name: "gives null for null", type: "string", value: null, expected: null },
  ];
  it.each(cases)("$name", ({ type, value, expected }) => {
    expect(cellFor(type, value, NOW)).toEqual(expected);
  });
});

describe("parseTableAccept", () => {
  const cases = [
    { name: "recognizes kubectl get's Accept", accept: KUBECTL_GET_ACCEPT, expected: "meta.k8s.io/v1" },
    { name: "recognizes parameters in any order", accept: "application/json;g=meta.k8s.io;v=v1;as=Table", expected: "meta.k8s.io/v1" },
    { name: "recognizes the v1beta1 Table", accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io", expected: "meta.k8s.io/v1beta1" },
    { name: "answers the object for plain JSON", accept: "application/json", expected: undefined },
    { name: "answers the object when the client prefers it by q", accept: "application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5,application/json", expected: undefined },
    { name: "answers the object for an empty Accept", accept: "", expected: undefined },
    { name: "does not take a Table of another group", accept: "application/json;as=Table;v=v1;g=example.com,application/json", expected: undefined },
    { name: "skips a protobuf Table and takes the JSON one", accept: "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io", expected: "meta.k8s.io/v1" },
  ];
  it.each(cases)("$name", ({ accept, expected }) => {
    expect(parseTableAccept(accept)?.apiVersion).toBe(expected);
  });
});
