// The query of a list or watch, parsed and validated once as kube-apiserver does (its ListOptions):
// malformed values are 400, values that parse but do not go together are 422 Invalid.

import { badRequest, type StatusCause } from "../machinery/errors.js";
import { parseResourceVersion } from "../store/keys.js";
import { forbiddenOption, invalidOptions, notSupported, queryBool, queryInt64, queryOptionalBool } from "./query-params.js";

/**
 * kube treats any int64 limit as the page size. A page larger than any store's contents is the whole
 * list, so larger limits are served as this one, which every backend binds as a plain integer.
 */
export const MAX_LIST_LIMIT = 2 ** 31 - 1;

export type ResourceVersionMatch = "Exact" | "NotOlderThan";

export interface ListOptions {
  /** A positive page size; absent for "everything" (kube's limit <= 0). */
  limit?: number;
  continueToken?: string;
  /** The client's resourceVersion as a revision; absent for "" (the latest). */
  revision?: number;
  resourceVersionMatch?: ResourceVersionMatch;
  /** Positive; absent for no timeout. */
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
}

export function parseListOptions(params: URLSearchParams, { watch }: { watch: boolean }): ListOptions {
  const limit = queryInt64(params, "limit");
  const timeout = queryInt64(params, "timeoutSeconds");
  const rv = params.get("resourceVersion") ?? "";
  const match = params.get("resourceVersionMatch") ?? "";
  const continueToken = params.get("continue") ?? "";
  const sendInitialEvents = queryOptionalBool(params, "sendInitialEvents");
  const causes = watch ? watchCauses(match, continueToken) : listCauses({ match, rv, continueToken, sendInitialEvents });
  if (causes.length > 0) throw invalidOptions("ListOptions", causes);
  const revision = revisionOf(rv);
  return {
    ...(limit !== undefined && limit > 0n ? { limit: Number(limit > BigInt(MAX_LIST_LIMIT) ? BigInt(MAX_LIST_LIMIT) : limit) } : {}),
    ...(continueToken ? { continueToken } : {}),
    ...(revision !== undefined ? { revision } : {}),
    ...(match ? { resourceVersionMatch: match as ResourceVersionMatch } : {}),
    // Seconds past what a Number holds exactly are "never" in practice; the clock copes with any length.
    ...(timeout !== undefined && timeout > 0n ? { timeoutSeconds: Number(timeout) } : {}),
    allowWatchBookmarks: queryBool(params.get("allowWatchBookmarks")),
    ...(sendInitialEvents !== undefined ? { sendInitialEvents } : {}),
  };
}

/** kube's ValidateListOptions for a list. */
function listCauses(o: { match: string; rv: string; continueToken: string; sendInitialEvents: boolean | undefined }): StatusCause[] {
  const causes: StatusCause[] = [];
  if (o.match) {
    if (!o.rv) causes.push(forbiddenOption("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"));
    if (o.continueToken) causes.push(forbiddenOption("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
    if (o.match !== "Exact" && o.match !== "NotOlderThan") causes.push(notSupported("resourceVersionMatch", o.match, ["Exact", "NotOlderThan", ""]));
    if (o.match === "Exact" && o.rv === "0") causes.push(forbiddenOption("resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (o.sendInitialEvents !== undefined) causes.push(forbiddenOption("sendInitialEvents", "sendInitialEvents is forbidden for list"));
  return causes;
}

/** kube's ValidateListOptions for a watch: only NotOlderThan means anything to a watch. */
function watchCauses(match: string, continueToken: string): StatusCause[] {
  if (!match) return [];
  const causes: StatusCause[] = [];
  if (match !== "NotOlderThan") causes.push(notSupported("resourceVersionMatch", match, ["NotOlderThan"]));
  if (continueToken) causes.push(forbiddenOption("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
  return causes;
}

function revisionOf(rv: string): number | undefined {
  try {
    return parseResourceVersion(rv);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}
