// Server-side apply of one object, telling created, configured and unchanged apart.

import type { RestClient } from "../../api/client/rest-client.js";
import { isNotFound } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { withoutNoise } from "./object-diff.js";

export type ApplyResult = "created" | "configured" | "unchanged";

/**
 * Absent before: created. Same resourceVersion after: the apply changed nothing. Otherwise configured.
 * A dry run moves no resourceVersion, so there the objects themselves are compared.
 */
export function classifyApply(before: KubeObject | undefined, after: KubeObject, opts: { dryRun?: boolean } = {}): ApplyResult {
  if (!before) return "created";
  if (opts.dryRun) return JSON.stringify(withoutNoise(before)) === JSON.stringify(withoutNoise(after)) ? "unchanged" : "configured";
  return before.metadata.resourceVersion === after.metadata.resourceVersion ? "unchanged" : "configured";
}

export interface ApplyObjectOptions {
  plural: string;
  object: KubeObject;
  fieldManager: string;
  force: boolean;
  /** `dryRun=All`: the server answers with what it would store and stores nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface AppliedObject {
  result: ApplyResult;
  object: KubeObject;
  /** The object before the apply, undefined when it did not exist. */
  before: KubeObject | undefined;
}

/** GET, then PATCH (apply): the GET is what lets `unchanged` be told from `configured`. */
export async function applyObject(client: RestClient, opts: ApplyObjectOptions): Promise<AppliedObject> {
  const name = opts.object.metadata.name;
  const before = await client.get(opts.plural, name, { signal: opts.signal }).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  const after = await client.apply(opts.plural, opts.object, { fieldManager: opts.fieldManager, force: opts.force, signal: opts.signal, ...(opts.dryRun ? { dryRun: true } : {}) });
  return { result: classifyApply(before, after, { dryRun: opts.dryRun === true }), object: after, before };
}
