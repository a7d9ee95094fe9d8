// What `get -o` asks for, parsed once: a table (wide), whole objects (yaml, json, name), a JSONPath
// template or custom columns; and how each prints objects as listed and as watch events.

import type { KubeObject } from "../../../api/machinery/meta.js";
import { UsageError } from "../cli-errors.js";
import type { ResolvedKind } from "../kind-resolver.js";
import { parseCustomColumns, renderCustomColumns, type CustomColumn } from "./custom-columns.js";
import { JsonPathTemplate } from "./jsonpath.js";
import { printObjects, printWatchedObject, printWatchEvent, type ObjectFormat } from "./object-printer.js";

export type OutputFormat =
  | { type: "table"; wide: boolean }
  | { type: "objects"; format: ObjectFormat }
  | { type: "jsonpath"; template: JsonPathTemplate }
  | { type: "custom-columns"; columns: CustomColumn[] };

export const OUTPUT_HELP = "wide|yaml|json|name|jsonpath=TEMPLATE|custom-columns=HEADER:PATH,…";

export function parseOutput(value: string | undefined): OutputFormat {
  if (value === undefined || value === "wide") return { type: "table", wide: value === "wide" };
  if (value === "yaml" || value === "json" || value === "name") return { type: "objects", format: value };
  const eq = value.indexOf("=");
  const [name, arg] = eq < 0 ? [value, ""] : [value.slice(0, eq), value.slice(eq + 1)];
  if (name === "jsonpath") {
    if (!arg) throw new UsageError("-o jsonpath needs a template, e.g. -o jsonpath='{.items[*].metadata.name}'");
    return { type: "jsonpath", template: JsonPathTemplate.parse(arg) };
  }
  if (name === "custom-columns") return { type: "custom-columns", columns: parseCustomColumns(arg) };
  throw new UsageError(`unknown output format "${value}"; use one of ${OUTPUT_HELP}`);
}

export interface ObjectOutputOptions {
  kind: ResolvedKind;
  showManagedFields: boolean;
  noHeaders: boolean;
  /** `--output-watch-events`: watch output says ADDED, MODIFIED or DELETED. */
  watchEvents: boolean;
}

/** Prints objects in a non-table format; keeps custom-columns widths so later watch rows stay aligned. */
export class ObjectOutput {
  private widths: number[] | undefined;

  constructor(
    private readonly format: Exclude<OutputFormat, { type: "table" }>,
    private readonly opts: ObjectOutputOptions,
  ) {}

  /** The listed objects: a List (asList) or the one object. */
  list(objects: KubeObject[], asList: boolean): string {
    const f = this.format;
    if (f.type === "objects") return printObjects(objects, { format: f.format, kind: this.opts.kind, asList, showManagedFields: this.opts.showManagedFields });
    if (f.type === "jsonpath") return f.template.execute(asList || objects.length !== 1 ? { apiVersion: "v1", kind: "List", items: objects } : objects[0]);
    return this.rows(objects, this.opts.noHeaders);
  }

  /** One watch event. */
  event(type: string, object: KubeObject): string {
    const f = this.format;
    const printOpts = { kind: this.opts.kind, showManagedFields: this.opts.showManagedFields };
    if (f.type === "objects") return this.opts.watchEvents ? printWatchEvent(type, object, { ...printOpts, format: f.format }) : printWatchedObject(object, { ...printOpts, format: f.format });
    if (f.type === "jsonpath") return f.template.execute(this.opts.watchEvents ? { type, object } : object);
    return this.rows([object], this.widths !== undefined || this.opts.noHeaders, this.opts.watchEvents ? type : undefined);
  }

  private rows(objects: KubeObject[], noHeaders: boolean, event?: string): string {
    if (this.format.type !== "custom-columns") return "";
    const { lines, widths } = renderCustomColumns(this.format.columns, objects, { noHeaders, ...(this.widths ? { widths: this.widths } : {}), ...(event ? { event } : {}) });
    this.widths = widths;
    return lines.map((l) => `${l}\n`).join("");
  }
}
