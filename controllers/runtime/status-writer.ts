// Writes a computed status through /status once, and only when it differs from the current one. A
// controller that shares status with an endpoint names the fields it owns; the others are kept as read.

import type { RestClient } from "../../api/client/rest-client.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { sameJson } from "./same-json.js";

type StatusObject = Record<string, unknown>;

export interface WriteStatusOptions<T extends KubeObject> {
  client: RestClient;
  plural: string;
  /** The object as read; its resourceVersion guards the write (409 Conflict, then a retry, if it moved). */
  current: T;
  /** The next status: whole, or when `ownedFields` is given, the values of those fields (absent = remove). */
  status: NonNullable<T["status"]>;
  /** The top-level status fields this controller computes; every other field is kept as it is. */
  ownedFields?: readonly string[];
  fieldManager: string;
  signal?: AbortSignal;
}

export interface WriteStatusResult<T> {
  written: boolean;
  object: T;
}

/** The status to write: `status` whole, or the current status with the owned fields replaced. Pure. */
export function nextStatus(current: unknown, status: unknown, ownedFields?: readonly string[]): StatusObject {
  const computed = (status ?? {}) as StatusObject;
  if (!ownedFields) return dropUndefined(computed);
  const next: StatusObject = { ...((current ?? {}) as StatusObject) };
  for (const field of ownedFields) {
    if (computed[field] === undefined) delete next[field];
    else next[field] = computed[field];
  }
  return dropUndefined(next);
}

export async function writeStatus<T extends KubeObject>(opts: WriteStatusOptions<T>): Promise<WriteStatusResult<T>> {
  const next = nextStatus(opts.current.status, opts.status, opts.ownedFields);
  if (sameJson(next, opts.current.status ?? {})) return { written: false, object: opts.current };
  const object = await opts.client.updateStatus<T>(opts.plural, { ...opts.current, status: next as T["status"] }, {
    fieldManager: opts.fieldManager,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { written: true, object };
}

const dropUndefined = (o: StatusObject): StatusObject => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
