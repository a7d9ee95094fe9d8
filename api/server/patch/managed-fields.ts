// managedFields bookkeeping for writes that are not server-side apply (create, PUT, merge and JSON patch),
// as kube's fieldmanager does for Update operations: the writer owns what it changed, others lose it.

import { API_VERSION, type KubeObject, type ManagedFieldsEntry } from "../../machinery/meta.js";
import { compareValues } from "./compare.js";
import { FieldSet } from "./field-set.js";
import { managedView, scopeOf } from "./managed-view.js";
import {
  capUpdateManagers,
  decodeManagers,
  encodeManagers,
  isManagedFieldsReset,
  managerId,
  withoutMetadataMember,
  type ManagerEntry,
  type Managers,
} from "./managers.js";
import { objectShape } from "./schema-shape.js";
import { asInvalid } from "./typed-errors.js";

export interface UpdateManagedFieldsOptions {
  /** The stored object; undefined for a create. */
  live?: KubeObject;
  /** The object about to be stored. Its managedFields, when a client set them, are honoured as in kube. */
  updated: KubeObject;
  manager: string;
  operation: "Update";
  /** RFC 3339. */
  now: string;
  /** The CRD's openAPIV3Schema. */
  schema: Record<string, unknown>;
  subresource?: string;
  /** Whether the kind has a /status subresource (then the main resource never manages status). Default true. */
  statusSubresource?: boolean;
}

/**
 * The managedFields for `updated`. The manager's Update entry gains every field this write added or
 * changed and is stamped `now`; every manager loses the fields this write changed or removed.
 * Throws 422 Invalid when `updated` breaks a list's rules (a duplicate key, an item missing its key).
 */
export function updateManagedFields(options: UpdateManagedFieldsOptions): ManagedFieldsEntry[] {
  const { live, updated, manager, now, subresource } = options;
  const managers = startingManagers(live, updated, subresource !== undefined);
  // As kube: an existing object nobody tracks (its managedFields were cleared) is tracked again from its next apply.
  if (managers.size === 0 && live !== undefined) return [];
  const scope = scopeOf(subresource, options.statusSubresource);
  let changes;
  try {
    changes = compareValues(managedView(live, scope), managedView(updated, scope), objectShape(options.schema), { strictAfter: true });
  } catch (err) {
    throw asInvalid(err, updated);
  }
  const changed = withoutMetadataMember(changes.added.union(changes.modified));
  const lost = changed.union(changes.removed);
  const next: Managers = new Map();
  for (const [id, m] of managers) next.set(id, { ...m, set: m.set.difference(lost) });
  if (!changed.isEmpty()) {
    const self: ManagerEntry = { manager, operation: "Update", ...(subresource ? { subresource } : {}), apiVersion: API_VERSION, time: now, set: changed };
    const id = managerId(self);
    next.set(id, { ...self, set: (next.get(id)?.set ?? new FieldSet()).union(changed) });
  }
  return encodeManagers(capUpdateManagers(next));
}

/** As kube's decodeLiveOrNew: a client's own managedFields win on the main resource if well formed; `[]`/`[{}]` clear them. */
function startingManagers(live: KubeObject | undefined, updated: KubeObject, isSubresource: boolean): Managers {
  const given: unknown = updated.metadata?.managedFields;
  if (!isSubresource && isManagedFieldsReset(given)) return new Map();
  if (!isSubresource && Array.isArray(given) && given.length > 0) {
    const decoded = tryDecode(given);
    if (decoded && decoded.size > 0) return decoded;
  }
  return tryDecode(live?.metadata.managedFields) ?? new Map();
}

/** Managed fields that do not decode are dropped rather than failing the write, as kube does. */
function tryDecode(entries: unknown): Managers | undefined {
  try {
    return decodeManagers(entries);
  } catch {
    return undefined;
  }
}
