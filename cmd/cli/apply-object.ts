// Server-side apply of one object, telling created, configured and unchanged apart.

import type { RestClient } from "../../api/client/rest-client.js";
import { isNotFound } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";

export type ApplyResult = "created" | "configured" | "unchanged";

/** Absent before: created. Same resourceVersion after: the apply changed nothing. Otherwise configured. */
export function classifyApply(before: KubeObject | undefined, after: KubeObject): ApplyResult {
  if (!before) return "created";
  return before.metadata.resourceVersion === after.metadata.resourceVersion ? "unchanged" : "configured";
}

export interface ApplyObjectOptions {
  plural: string;
  object: KubeObject;
  fieldManager: string;
  force: boolean;
  signal?: AbortSignal;
}

/** GET, then PATCH (apply): the GET is what lets `unchanged` be told from `configured`. */
export async function applyObject(client: RestClient, opts: ApplyObjectOptions): Promise<{ result: ApplyResult; object: KubeObject }> {
  const name = opts.object.metadata.name;
  const before = await client.get(opts.plural, name, { signal: opts.signal }).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  const after = await client.apply(opts.plural, opts.object, { fieldManager: opts.fieldManager, force: opts.force, signal: opts.signal });
  return { result: classifyApply(before, after), object: after };
}
