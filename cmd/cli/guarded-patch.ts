// Read, change, write back guarded by the resourceVersion read, again on a conflict: no update is lost
// when two people (or scripts) change the same object at once.

import type { RestClient } from "../../api/client/rest-client.js";
import { isConflict } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";

export interface GuardedPatchOptions<T extends KubeObject> {
  client: RestClient;
  plural: string;
  name: string;
  /** The spec fields to change (a merge patch of spec), or undefined when the object already is as wanted. */
  change: (live: T) => Partial<NonNullable<T["spec"]>> | undefined;
  signal?: AbortSignal;
  /** Attempts before giving up with the last conflict. Default 8. */
  attempts?: number;
}

export interface GuardedPatchResult<T> {
  object: T;
  changed: boolean;
}

/**
 * Applies `change` to the live object with a merge patch that carries the resourceVersion it was computed
 * from, so the server refuses it (409 Conflict) if anyone wrote in between; then reads again and retries.
 */
export async function guardedPatch<T extends KubeObject>(opts: GuardedPatchOptions<T>): Promise<GuardedPatchResult<T>> {
  const attempts = opts.attempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    const live = await opts.client.get<T>(opts.plural, opts.name, { signal: opts.signal });
    const spec = opts.change(live);
    if (spec === undefined) return { object: live, changed: false };
    const patch = { metadata: { resourceVersion: live.metadata.resourceVersion }, spec };
    try {
      const object = await opts.client.patch<T>(opts.plural, opts.name, patch, { type: "merge", fieldManager: "claw", signal: opts.signal });
      return { object, changed: true };
    } catch (err) {
      if (!isConflict(err) || attempt >= attempts) throw err;
    }
  }
}
