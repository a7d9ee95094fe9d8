// `-o yaml|json|name`: objects as the server returned them (managedFields hidden), one or a List.

import YAML from "yaml";
import type { KubeObject } from "../../../api/machinery/meta.js";
import { qualifiedKind, type ResolvedKind } from "../kind-resolver.js";

export type ObjectFormat = "yaml" | "json" | "name";

export interface PrintObjectsOptions {
  format: ObjectFormat;
  kind: ResolvedKind;
  /** Print a `List` even for one object (a list request or several names). */
  asList: boolean;
  showManagedFields?: boolean;
}

export function printObjects(objects: KubeObject[], opts: PrintObjectsOptions): string {
  const items = objects.map((o) => tidy(o, opts));
  if (opts.format === "name") return items.map((o) => `${qualifiedKind(opts.kind)}/${o.metadata.name}\n`).join("");
  const value = !opts.asList && items.length === 1 ? items[0] : { apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items };
  return opts.format === "json" ? `${JSON.stringify(value, null, 4)}\n` : YAML.stringify(value, { lineWidth: 0 });
}

/** One object per watch event: JSON on one document, YAML separated by `---`. */
export function printWatchedObject(object: KubeObject, opts: Omit<PrintObjectsOptions, "asList">): string {
  const text = printObjects([object], { ...opts, asList: false });
  return opts.format === "yaml" ? `---\n${text}` : text;
}

/** `--output-watch-events`: `{"type": "ADDED", "object": {…}}` in JSON, the same mapping in YAML, `ADDED KIND/NAME` for names. */
export function printWatchEvent(type: string, object: KubeObject, opts: Omit<PrintObjectsOptions, "asList">): string {
  if (opts.format === "name") return `${type} ${qualifiedKind(opts.kind)}/${object.metadata.name}\n`;
  const value = { type, object: tidy(object, { ...opts, asList: false }) };
  return opts.format === "json" ? `${JSON.stringify(value, null, 4)}\n` : `---\n${YAML.stringify(value, { lineWidth: 0 })}`;
}

export function tidy(obj: KubeObject, opts: PrintObjectsOptions): KubeObject {
  const withType = { ...obj, apiVersion: obj.apiVersion ?? `${opts.kind.group}/${opts.kind.version}`, kind: obj.kind ?? opts.kind.kind };
  if (opts.showManagedFields || !obj.metadata?.managedFields) return withType;
  const { managedFields: _hidden, ...metadata } = obj.metadata;
  return { ...withType, metadata };
}
