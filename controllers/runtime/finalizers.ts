// Finalizers: the one part of spec-side metadata a controller writes, guarded by resourceVersion.

import type { RestClient } from "../../api/client/rest-client.js";
import { isNotFound } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";

export interface FinalizerOptions<T extends KubeObject> {
  client: RestClient;
  plural: string;
  /** The object as read; its resourceVersion guards the write. */
  object: T;
  finalizer: string;
  fieldManager: string;
}

export const hasFinalizer = (obj: KubeObject, finalizer: string): boolean => obj.metadata.finalizers?.includes(finalizer) ?? false;

/** Deleted, but held by finalizers: the time for a controller to clean up and remove its finalizer. */
export const isBeingDeleted = (obj: KubeObject): boolean => obj.metadata.deletionTimestamp !== undefined;

/** Adds the finalizer unless present (or the object is being deleted); returns the object as stored. */
export async function addFinalizer<T extends KubeObject>(opts: FinalizerOptions<T>): Promise<T> {
  const { object, finalizer } = opts;
  if (hasFinalizer(object, finalizer) || isBeingDeleted(object)) return object;
  return patchFinalizers(opts, [...(object.metadata.finalizers ?? []), finalizer]);
}

/** Removes the finalizer if present; returns the object as stored, or undefined once it is gone. */
export async function removeFinalizer<T extends KubeObject>(opts: FinalizerOptions<T>): Promise<T | undefined> {
  const { object, finalizer } = opts;
  if (!hasFinalizer(object, finalizer)) return object;
  try {
    return await patchFinalizers(opts, (object.metadata.finalizers ?? []).filter((f) => f !== finalizer));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function patchFinalizers<T extends KubeObject>(opts: FinalizerOptions<T>, finalizers: string[]): Promise<T> {
  // A merge patch carrying resourceVersion is refused with 409 if the object moved since it was read.
  const patch = { metadata: { resourceVersion: opts.object.metadata.resourceVersion, finalizers } };
  return opts.client.patch<T>(opts.plural, opts.object.metadata.name, patch, { type: "merge", fieldManager: opts.fieldManager });
}
