// LIST over the Store: label/field matching, limit and continue across one consistent snapshot, reads at
// an exact revision — with kube's answers for a compacted revision (410) and one from the future (504).

import { gone, tooLargeResourceVersion } from "../machinery/errors.js";
import type { KubeList, KubeObject } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { decodeObject, resourcePrefix } from "../store/keys.js";
import { isStoreError, type Store } from "../store/store.js";
import { decodeContinue, encodeContinue } from "./continue-token.js";

export interface ListQuery {
  match?: (obj: KubeObject) => boolean;
  limit?: number;
  continueToken?: string;
  /** Read at exactly this revision. */
  revision?: number;
}

export async function listResources(store: Store, info: ResourceInfo, query: ListQuery = {}): Promise<KubeList> {
  const prefix = resourcePrefix(info.group, info.plural);
  const fromToken = query.continueToken ? decodeContinue(query.continueToken) : undefined;
  const limit = query.limit && query.limit > 0 ? query.limit : 0;
  const items: KubeObject[] = [];
  let revision = fromToken?.revision ?? query.revision;
  let startAfter = fromToken?.startAfter;
  let more = false;
  let lastKey: string | undefined;
  try {
    for (;;) {
      const page = await store.list(prefix, {
        ...(limit ? { limit: Math.max(limit - items.length, 1) } : {}),
        ...(startAfter !== undefined ? { startAfter } : {}),
        ...(revision !== undefined ? { revision } : {}),
      });
      revision = page.revision;
      for (const kv of page.items) {
        lastKey = kv.key;
        const obj = decodeObject(kv);
        if (!query.match || query.match(obj)) items.push(obj);
        if (limit && items.length >= limit) break;
      }
      more = page.more || (lastKey !== undefined && lastKey !== page.items.at(-1)?.key);
      if (!limit || items.length >= limit || !page.more) break;
      startAfter = lastKey;
    }
  } catch (err) {
    if (isStoreError(err, "Compacted") && fromToken)
      throw gone("the provided continue parameter is too old to display a consistent list result; start a new list without 'continue'");
    if (isStoreError(err, "Compacted")) throw gone(`resourceVersion ${String(revision)} is too old: ${err.message}`);
    // A revision the store has not reached (from resourceVersionMatch=Exact or a continue token): kube's 504.
    if (err instanceof RangeError && revision !== undefined) {
      const current = await store.currentRevision();
      if (revision > current) throw tooLargeResourceVersion(revision, current);
    }
    throw err;
  }
  return {
    apiVersion: `${info.group}/${info.version}`,
    kind: info.listKind,
    metadata: {
      resourceVersion: String(revision ?? 0),
      ...(more && lastKey !== undefined && revision !== undefined ? { continue: encodeContinue({ revision, startAfter: lastKey }) } : {}),
    },
    items,
  };
}
