// The part of an object that field management looks at, as kube's fieldmanager strips it: apiVersion,
// kind and server-set metadata are never managed; labels, annotations, finalizers and ownerReferences are.
// The main resource and the /status subresource each see only their own half of the object.

import type { KubeObject } from "../../machinery/meta.js";
import { cloneJson, isJsonObject, setOwn, type JsonObject } from "./json-value.js";

/** main: everything but status (status is written through /status); status: only status; whole: both (no status subresource). */
export type Scope = "main" | "status" | "whole";

export const MANAGED_METADATA = ["labels", "annotations", "finalizers", "ownerReferences"] as const;
const UNMANAGED_TOP = new Set(["apiVersion", "kind", "metadata"]);

export function scopeOf(subresource: string | undefined, statusSubresource = true): Scope {
  if (subresource === "status") return "status";
  return statusSubresource ? "main" : "whole";
}

/**
 * The managed fields of `obj` for a scope, as a plain object (empty for a missing object). It shares its
 * values with `obj` (copying them would cost a deep copy per write); every caller only reads it.
 */
export function managedView(obj: KubeObject | JsonObject | undefined, scope: Scope): JsonObject {
  const view: JsonObject = {};
  if (!isJsonObject(obj)) return view;
  const source = obj as JsonObject;
  if (scope !== "status") {
    const metadata = isJsonObject(source.metadata) ? source.metadata : {};
    const managed: JsonObject = {};
    for (const field of MANAGED_METADATA) if (metadata[field] !== undefined) managed[field] = metadata[field];
    if (Object.keys(managed).length > 0) view.metadata = managed;
  }
  for (const [key, value] of Object.entries(source)) {
    if (UNMANAGED_TOP.has(key) || value === undefined) continue;
    if ((key === "status") !== (scope === "status") && scope !== "whole") continue;
    setOwn(view, key, value);
  }
  return view;
}

/** `base` with its managed fields for a scope replaced by `view`; everything else of `base` is kept. */
export function withManagedView(base: KubeObject, view: JsonObject, scope: Scope): KubeObject {
  const out: JsonObject = { apiVersion: base.apiVersion, kind: base.kind };
  const metadata: JsonObject = { ...cloneJson(base.metadata) };
  if (scope !== "status") {
    const managed = isJsonObject(view.metadata) ? view.metadata : {};
    for (const field of MANAGED_METADATA) {
      if (managed[field] === undefined) delete metadata[field];
      else metadata[field] = cloneJson(managed[field]);
    }
  }
  out.metadata = metadata;
  const inScope = (key: string) => scope === "whole" || (key === "status") === (scope === "status");
  // Keep the base's key order; fields new in the view come after.
  for (const [key, value] of Object.entries(base as unknown as JsonObject)) {
    if (UNMANAGED_TOP.has(key)) continue;
    const next = inScope(key) ? view[key] : value;
    if (next !== undefined) setOwn(out, key, cloneJson(next));
  }
  for (const [key, value] of Object.entries(view))
    if (key !== "metadata" && !Object.prototype.hasOwnProperty.call(out, key)) setOwn(out, key, cloneJson(value));
  return out as unknown as KubeObject;
}
