// The pure rules of how a write changes an object: what a client may set, when generation moves,
// how the main resource and the /status subresource split an object between them.

import { isDeepStrictEqual } from "node:util";
import type { KubeObject, ObjectMeta } from "../machinery/meta.js";

export type Subresource = "status" | undefined;

/** Fields of metadata only the server sets; a client's values are ignored. */
const SERVER_OWNED_META = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion"] as const;

export interface NewObjectInput {
  incoming: KubeObject;
  uid: string;
  now: string;
}

/** Stamps a new object: uid, creationTimestamp, generation 1, status dropped (status is written through /status). */
export function prepareForCreate({ incoming, uid, now }: NewObjectInput): KubeObject {
  const metadata: ObjectMeta = { ...incoming.metadata };
  for (const f of SERVER_OWNED_META) delete metadata[f];
  const { status: _ignored, ...rest } = incoming;
  return { ...rest, metadata: { ...metadata, uid, creationTimestamp: now, generation: 1 } };
}

/**
 * Merges a client's full object into the live one for a write to the main resource or to /status:
 * the main resource keeps the live status; /status keeps everything but status (metadata too, except
 * that a status write may not change labels or finalizers — as for Kubernetes custom resources).
 */
export function prepareForUpdate(live: KubeObject, incoming: KubeObject, subresource: Subresource): KubeObject {
  const serverMeta: Partial<ObjectMeta> = {};
  for (const f of SERVER_OWNED_META) if (live.metadata[f] !== undefined) (serverMeta as Record<string, unknown>)[f] = live.metadata[f];
  if (subresource === "status") {
    const next: KubeObject = { ...live, metadata: { ...live.metadata } };
    if (incoming.status === undefined) delete next.status;
    else next.status = incoming.status;
    return next;
  }
  const next: KubeObject = { ...incoming, metadata: { ...incoming.metadata, ...serverMeta, name: live.metadata.name } };
  if (live.status === undefined) delete next.status;
  else next.status = live.status;
  return settleGeneration(live, next);
}

/** generation moves by one exactly when the spec differs from the live one; call again once pruning has dropped unknown fields. */
export function settleGeneration(live: KubeObject, next: KubeObject): KubeObject {
  const specChanged = !isDeepStrictEqual(withoutMetaStatus(live), withoutMetaStatus(next));
  const generation = specChanged ? (live.metadata.generation ?? 1) + 1 : live.metadata.generation;
  if (next.metadata.generation === generation) return next;
  const metadata = { ...next.metadata };
  if (generation === undefined) delete metadata.generation;
  else metadata.generation = generation;
  return { ...next, metadata };
}

/** Everything that is neither metadata nor status: a change here moves generation. */
function withoutMetaStatus(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** True when a write changed nothing a client could see (ignoring managedFields timestamps). */
export function isNoop(live: KubeObject, next: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, managedFields: o.metadata.managedFields?.map(({ time: _t, ...e }) => e), resourceVersion: undefined } });
  return isDeepStrictEqual(strip(live), strip(next));
}

/** An object being deleted whose last finalizer is gone is removed for real. */
export const readyToRemove = (obj: KubeObject): boolean =>
  obj.metadata.deletionTimestamp !== undefined && (obj.metadata.finalizers ?? []).length === 0;

/** Whether the client's object names the same thing as the URL (name) and the server's kind. */
export function identityMismatch(obj: KubeObject, expect: { name?: string; apiVersion: string; kind: string }): string | undefined {
  if (obj.apiVersion !== expect.apiVersion) return `apiVersion must be "${expect.apiVersion}", not "${String(obj.apiVersion)}"`;
  if (obj.kind !== expect.kind) return `kind must be "${expect.kind}", not "${String(obj.kind)}"`;
  if (expect.name !== undefined && obj.metadata?.name !== undefined && obj.metadata.name !== expect.name)
    return `the name of the object (${obj.metadata.name}) does not match the name in the URL (${expect.name})`;
  return undefined;
}
