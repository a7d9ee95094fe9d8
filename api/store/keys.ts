// The key layout and value encoding, decided once.
//
// Keys:   /registry/{group}/{plural}/{name}     (resources; all cluster-scoped)
//         /claw/{area}/...                       (internal records: bootstrap credential, leases, audit head)
// Values: the object as compact JSON, without metadata.resourceVersion, which is never stored:
//         on read it is the key's modRevision as a decimal string, so resourceVersion == store revision.

import type { KeyValue } from "./store.js";
import type { KubeObject } from "../machinery/meta.js";

export const resourcePrefix = (group: string, plural: string): string => `/registry/${group}/${plural}/`;
export const resourceKey = (group: string, plural: string, name: string): string => `${resourcePrefix(group, plural)}${name}`;
export const internalKey = (area: string, name: string): string => `/claw/${area}/${name}`;

/** Encodes an object for storage: resourceVersion is dropped (the revision is the version). */
export function encodeObject(obj: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

/** Decodes a stored value and stamps resourceVersion from the key's modRevision. */
export function decodeObject<T extends KubeObject = KubeObject>(kv: KeyValue): T {
  const obj = JSON.parse(kv.value) as T;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** Parses a client-supplied resourceVersion; undefined for "" or absent. Throws on garbage. */
export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === "") return undefined;
  if (!/^\d+$/.test(rv)) throw new RangeError(`resourceVersion "${rv}" is not a revision number`);
  return Number(rv);
}
