// meta.k8s.io/v1 Table output, as kube-apiserver builds it for custom resources: a Name column first, then the
// CRD's printer columns (all of them, with their priority: kubectl hides priority > 0 unless -o wide), cells read
// by JSONPath, date cells turned into ages ("5m") by the server, or, for a time ahead, "in 89d".

import { humanAge, humanDuration } from "../machinery/human-duration.js";
import { compileJsonPath } from "../machinery/json-path.js";
import type { KubeObject, ObjectMeta } from "../machinery/meta.js";
import type { PrinterColumn, ResourceInfo } from "../schema/resource-info.js";
import { negotiate, type MediaOffer } from "./media-type.js";

export type IncludeObject = "None" | "Metadata" | "Object";
export type TableApiVersion = "meta.k8s.io/v1" | "meta.k8s.io/v1beta1";

export interface TableColumnDefinition {
  name: string;
  type: PrinterColumn["type"];
  format: string;
  description: string;
  priority: number;
}

export interface PartialObjectMetadata {
  kind: "PartialObjectMetadata";
  apiVersion: "meta.k8s.io/v1";
  metadata: ObjectMeta;
}

export type TableCell = string | number | boolean | null;

export interface TableRow {
  cells: TableCell[];
  /** Per includeObject: the whole object, its PartialObjectMetadata, or absent. */
  object?: KubeObject | PartialObjectMetadata;
}

export interface Table {
  kind: "Table";
  apiVersion: TableApiVersion;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface TableOptions {
  /** What each row carries besides its cells; kube's default (no ?includeObject) is Metadata. */
  includeObject: IncludeObject;
  /**
   * The current time in ms, to show date columns as ages the way kube-apiserver does ("3m12s").
   * Without it, date cells hold the timestamp itself.
   */
  now?: number;
  /** Omitted (the server's case): every column, as kube sends them. false: drop priority > 0 columns. true: all. */
  wide?: boolean;
  /** Leave columnDefinitions empty (kube's TableOptions.noHeaders, for watch events after the first). */
  noHeaders?: boolean;
  /** The list metadata to carry (resourceVersion, continue, remainingItemCount). */
  listMeta?: Table["metadata"];
  /** Defaults to meta.k8s.io/v1; see parseTableAccept. */
  apiVersion?: TableApiVersion;
}

const NAME_COLUMN: TableColumnDefinition = {
  name: "Name",
  type: "string",
  format: "name",
  description: "The object's name, unique among objects of its kind.",
  priority: 0,
};

/** Shown when a CRD declares no printer columns, as kube-apiserver does. */
const DEFAULT_COLUMNS: PrinterColumn[] = [
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "How long ago the object was created." },
];

/** The column definitions of a kind: Name, then its printer columns (or Age when it declares none). */
export function tableColumns(info: ResourceInfo): TableColumnDefinition[] {
  const columns = info.printerColumns.length > 0 ? info.printerColumns : DEFAULT_COLUMNS;
  return [
    NAME_COLUMN,
    ...columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: c.description ?? `The value at ${c.jsonPath}.`,
      priority: c.priority ?? 0,
    })),
  ];
}

export function toTable(info: ResourceInfo, objects: readonly KubeObject[], opts: TableOptions): Table {
  const printerColumns = info.printerColumns.length > 0 ? info.printerColumns : DEFAULT_COLUMNS;
  const paths = printerColumns.map((c) => compileJsonPath(c.jsonPath));
  const shown = tableColumns(info).map((c) => opts.wide !== false || c.priority === 0);
  const rows = objects.map((obj): TableRow => {
    const cells: TableCell[] = [obj.metadata.name];
    printerColumns.forEach((column, i) => cells.push(cellFor(column.type, paths[i]!(obj)[0], opts.now)));
    const object = opts.includeObject === "Object" ? obj : opts.includeObject === "Metadata" ? toPartialObjectMetadata(obj) : undefined;
    return { cells: cells.filter((_, i) => shown[i]), ...(object ? { object } : {}) };
  });
  return {
    kind: "Table",
    apiVersion: opts.apiVersion ?? "meta.k8s.io/v1",
    metadata: { ...opts.listMeta },
    columnDefinitions: opts.noHeaders ? [] : tableColumns(info).filter((_, i) => shown[i]),
    rows,
  };
}

export function toPartialObjectMetadata(obj: KubeObject): PartialObjectMetadata {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

/** A cell as kube's CRD table convertor makes it: typed by the column, null when absent or of the wrong type. */
export function cellFor(type: PrinterColumn["type"], value: unknown, now?: number): TableCell {
  if (value === undefined || value === null) return null;
  switch (type) {
    case "string":
      return typeof value === "string" ? value : goFormat(value);
    case "integer":
      return typeof value === "number" && Number.isFinite(value) ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date":
      if (typeof value !== "string") return null;
      if (now === undefined) return value;
      const at = Date.parse(value);
      if (at === ZERO_TIME) return "<unknown>";
      const age = humanAge(value, now);
      // kube's age of a time ahead (an expiry) is "<invalid>", which says nothing: say how far ahead it is.
      return age === "<invalid>" && at - now >= 2000 ? `in ${humanDuration(at - now)}` : age;
  }
}

const ZERO_TIME = Date.parse("0001-01-01T00:00:00Z");

/** Go's fmt %v for decoded JSON, which is how kube prints a non-string value in a string column: [a b], map[k:v]. */
function goFormat(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goFormat).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${goFormat(v)}`).join(" ")}]`;
  }
  return String(value);
}

type Representation = { table: TableApiVersion } | "object";

const TABLE_OFFERS: MediaOffer<Representation>[] = [
  { type: "application", subtype: "json", params: { as: "Table", v: "v1", g: "meta.k8s.io" }, value: { table: "meta.k8s.io/v1" } },
  { type: "application", subtype: "json", params: { as: "Table", v: "v1beta1", g: "meta.k8s.io" }, value: { table: "meta.k8s.io/v1beta1" } },
  { type: "application", subtype: "json", value: "object" },
];

/**
 * Whether the client asked for a Table: `kubectl get` sends
 * `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`.
 * Returns the Table apiVersion to answer with, or undefined for the plain object (or nothing acceptable).
 * The response's Content-Type stays application/json, as kube-apiserver sends it.
 */
export function parseTableAccept(accept: string | undefined): { apiVersion: TableApiVersion } | undefined {
  const chosen = negotiate(accept, TABLE_OFFERS);
  return chosen !== undefined && chosen !== "object" ? { apiVersion: chosen.table } : undefined;
}
