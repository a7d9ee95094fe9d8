// Server-side apply for our custom resources, as structured-merge-diff and kube's fieldmanager do it:
// merge the manager's applied configuration into the live object, prune what it stopped applying,
// and refuse (409) to change fields another manager owns unless forced.

import { badRequest, notFound } from "../../machinery/errors.js";
import { API_VERSION, GROUP, type KubeObject } from "../../machinery/meta.js";
import { applyConflictError, type ManagerConflict } from "./apply-conflict.js";
import { mergeApplied } from "./apply-merge.js";
import { compareValues } from "./compare.js";
import { FieldSet } from "./field-set.js";
import { fieldSetOf, withNamedFieldsAsMembers } from "./field-set-of.js";
import { isJsonObject, jsonEqual, type JsonObject } from "./json-value.js";
import { managedView, scopeOf, withManagedView, type Scope } from "./managed-view.js";
import { capUpdateManagers, decodeManagers, encodeManagers, managerId, withoutMetadataMember, type ManagerEntry, type Managers } from "./managers.js";
import { fieldKey } from "./path-element.js";
import { removeItems } from "./remove-items.js";
import { objectShape, type Shape } from "./schema-shape.js";
import { asInvalid } from "./typed-errors.js";

export interface ServerSideApplyOptions {
  /** The stored object; undefined when the apply creates it. */
  live?: KubeObject;
  /** The manager's applied configuration (the request body). */
  applied: KubeObject;
  manager: string;
  force: boolean;
  /** RFC 3339. */
  now: string;
  /** The CRD's openAPIV3Schema. */
  schema: Record<string, unknown>;
  subresource?: "status";
  /** Whether the kind has a /status subresource (then the main resource never applies status). Default true. */
  statusSubresource?: boolean;
}

/** Kubernetes gives fields that existed before the first apply to this manager, so they can conflict. */
export const BEFORE_FIRST_APPLY = "before-first-apply";

/** The merged object, with metadata.managedFields updated. Throws 409 Conflict, 422 Invalid or 400 BadRequest. */
export function serverSideApply(options: ServerSideApplyOptions): KubeObject {
  const { live, applied, manager, subresource } = options;
  checkApplied(applied, manager);
  const ref = { kind: applied.kind, group: GROUP, ...(applied.metadata?.name !== undefined ? { name: applied.metadata.name } : {}) };
  if (subresource === "status" && !live) throw notFound(ref);
  const scope = scopeOf(subresource, options.statusSubresource);
  const shape = objectShape(options.schema);
  const liveView = managedView(live, scope);
  const configView = managedView(applied, scope);

  let merged: JsonObject;
  let appliedSet: FieldSet;
  try {
    merged = mergeApplied(liveView, configView, shape) as JsonObject;
    appliedSet = withoutMetadataMember(fieldSetOf(configView, shape, { strict: true }));
  } catch (err) {
    throw asInvalid(err, applied);
  }

  const managers = live ? liveManagers(live, options.now, shape) : new Map<string, ManagerEntry>();
  const self: ManagerEntry = { manager, operation: "Apply", ...(subresource ? { subresource } : {}), apiVersion: API_VERSION, set: appliedSet };
  const selfId = managerId(self);
  const previous = managers.get(selfId);
  managers.set(selfId, self);

  const result = previous && !previous.set.isEmpty() ? prune(merged, { managers, last: previous.set, shape, scope }) : merged;

  const changes = compareValues(liveView, result, shape, { strictAfter: false });
  const touched = changes.added.union(changes.modified);
  const conflicts: ManagerConflict[] = [];
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    const fields = m.set.intersection(touched);
    if (!fields.isEmpty()) conflicts.push({ manager: m, fields });
  }
  if (conflicts.length > 0 && !options.force) throw applyConflictError(conflicts, ref);
  // Forced: the others lose what this apply took. Always: they lose what it removed.
  for (const [id, m] of managers) if (id !== selfId) managers.set(id, { ...m, set: m.set.difference(touched).difference(changes.removed) });

  const changed = !live || !jsonEqual(liveView, result);
  const time = changed || !previous?.time ? options.now : previous.time;
  managers.set(selfId, { ...self, time });

  const object = withManagedView(live ?? skeletonOf(applied), result, scope);
  object.metadata.managedFields = encodeManagers(capUpdateManagers(managers));
  return object;
}

function checkApplied(applied: unknown, manager: string): asserts applied is KubeObject {
  if (!isJsonObject(applied)) throw badRequest("an apply request must be a single object with apiVersion, kind and metadata.name");
  if (applied.metadata !== undefined && !isJsonObject(applied.metadata)) throw badRequest("metadata of an applied object must be an object");
  if (isJsonObject(applied.metadata) && applied.metadata.managedFields !== undefined && applied.metadata.managedFields !== null)
    throw badRequest("metadata.managedFields must not be set in an apply request: the server records field ownership itself; remove it and apply again");
  if (!manager) throw badRequest("a field manager is required for apply: add ?fieldManager=<your-tool> to the request");
}

/**
 * Removes what the manager applied last time but not now, unless another manager (or this apply) owns it,
 * in three steps as structured-merge-diff: remove, add back what is owned, add back what was never ours.
 */
function prune(merged: JsonObject, ctx: { managers: Managers; last: FieldSet; shape: Shape; scope: Scope }): JsonObject {
  const { shape } = ctx;
  const named = (set: FieldSet) => withNamedFieldsAsMembers(set, shape);
  const setOf = (value: unknown) => named(fieldSetOf(value, shape, { strict: false }));
  const last = named(ctx.last);
  let owned = new FieldSet();
  for (const m of ctx.managers.values()) owned = owned.union(m.set);
  // kube always owns metadata through metadata.name, so metadata itself is never pruned, only what is in it.
  if (ctx.scope !== "status") owned.insert([fieldKey("metadata")]);
  const all = setOf(merged);
  const removed = removeItems(merged, last, shape);
  const ownedBack = removeItems(merged, all.difference(setOf(removed).union(named(owned))), shape);
  return removeItems(merged, all.difference(setOf(ownedBack)).intersection(last), shape) as JsonObject;
}

/** The live managers; an object nobody tracks yet gets a before-first-apply manager owning all it has. */
function liveManagers(live: KubeObject, now: string, shape: Shape): Managers {
  let managers: Managers;
  try {
    managers = decodeManagers(live.metadata.managedFields);
  } catch {
    managers = new Map();
  }
  if (managers.size > 0) return managers;
  const existing = compareValues(undefined, managedView(live, "whole"), shape, { strictAfter: false });
  const set = withoutMetadataMember(existing.added.union(existing.modified));
  if (!set.isEmpty()) {
    const entry: ManagerEntry = { manager: BEFORE_FIRST_APPLY, operation: "Update", apiVersion: API_VERSION, time: now, set };
    managers.set(managerId(entry), entry);
  }
  return managers;
}

/** What a created object starts from: identity and unmanaged metadata from the request; the rest comes from the apply. */
function skeletonOf(applied: KubeObject): KubeObject {
  const { managedFields: _ignored, ...metadata } = applied.metadata ?? { name: "" };
  return { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { ...metadata } };
}
