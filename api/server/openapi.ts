// /openapi/v3 (index), /openapi/v3/apis/{group}/{version} and /openapi/v2: built once from the CRDs, served with
// ETags; a v3 URL carrying ?hash= is immutable and cached for a year, a stale hash redirects to the current one.

import { notAcceptable } from "../machinery/errors.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { answerWithEtag, hashOf, type HttpAnswer } from "./http-answer.js";
import { negotiate } from "./media-type.js";
import { openApiV2Document } from "./openapi-v2.js";
import { openApiV3Document } from "./openapi-v3.js";

export interface OpenApiDocuments {
  /** The v3 documents by index path (`apis/security.clawbernetes.com/v1`), serialized, with their hash. */
  v3: ReadonlyMap<string, { body: string; hash: string }>;
  /** The serialized /openapi/v3 index. */
  v3Index: string;
  /** The serialized Swagger 2.0 document. */
  v2: string;
}

/** Builds every document once (at server start: they change only with the CRDs). */
export function buildOpenApi(infos: readonly ResourceInfo[]): OpenApiDocuments {
  const byGv = new Map<string, ResourceInfo[]>();
  for (const info of infos) {
    const key = `apis/${info.group}/${info.version}`;
    byGv.set(key, [...(byGv.get(key) ?? []), info]);
  }
  const v3 = new Map<string, { body: string; hash: string }>();
  const v3Docs = [];
  for (const [key, group] of byGv) {
    const doc = openApiV3Document(group);
    v3Docs.push(doc);
    const body = JSON.stringify(doc);
    v3.set(key, { body, hash: hashOf(body) });
  }
  return { v3, v3Index: JSON.stringify(openApiV3Index(v3)), v2: JSON.stringify(openApiV2Document(v3Docs)) };
}

/** `{"paths": {"apis/g/v": {"serverRelativeURL": "/openapi/v3/apis/g/v?hash=…"}}}`, what client-go's openapi client reads. */
export function openApiV3Index(v3: OpenApiDocuments["v3"]): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, { hash }] of v3) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  return { paths };
}

const JSON_ONLY = [{ type: "application", subtype: "json", value: "application/json" }] as const;
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache, private";

/**
 * The whole response for an /openapi path, or undefined when the path is not one (the caller answers 404).
 * Only JSON is served: an Accept header that allows neither application/json nor a wildcard (client-go asks
 * /openapi/v2 for protobuf only) gets 406.
 */
export function answerOpenApi(opts: {
  docs: OpenApiDocuments;
  path: string;
  /** The query string or parsed parameters; only `hash` is read. */
  query?: URLSearchParams | string;
  accept?: string | undefined;
  ifNoneMatch?: string | undefined;
}): HttpAnswer | undefined {
  const path = opts.path.length > 1 ? opts.path.replace(/\/+$/, "") : opts.path;
  let body: string;
  let cacheControl = REVALIDATE;
  if (path === "/openapi/v3") {
    body = opts.docs.v3Index;
  } else if (path === "/openapi/v2") {
    body = opts.docs.v2;
  } else if (path.startsWith("/openapi/v3/")) {
    const key = path.slice("/openapi/v3/".length);
    const doc = opts.docs.v3.get(key);
    if (!doc) return undefined;
    const query = typeof opts.query === "string" || opts.query === undefined ? new URLSearchParams(opts.query ?? "") : opts.query;
    const hash = query.get("hash");
    if (hash !== null && hash !== doc.hash) {
      // The client holds an index older than this document: send it to the current version.
      return { status: 301, headers: { Location: `/openapi/v3/${key}?hash=${doc.hash}`, "Cache-Control": "no-cache, no-store" } };
    }
    body = doc.body;
    if (hash !== null) cacheControl = IMMUTABLE;
  } else {
    return undefined;
  }
  if (!negotiate(opts.accept, JSON_ONLY)) {
    const status = notAcceptable(`${path} is served only as application/json, not as ${opts.accept ?? ""}`).toStatus();
    return { status: 406, headers: { "Content-Type": "application/json" }, body: JSON.stringify(status) };
  }
  return answerWithEtag({ body, contentType: "application/json", ifNoneMatch: opts.ifNoneMatch, headers: { "Cache-Control": cacheControl, Vary: "Accept" } });
}
