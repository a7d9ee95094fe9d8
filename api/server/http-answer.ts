// A whole HTTP response computed by a pure function, with ETag revalidation (If-None-Match → 304).

import { createHash } from "node:crypto";

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** Absent for 304 and redirects. */
  body?: string;
}

/** A strong ETag for a body, quoted as it goes on the wire: `"<SHA-512 hex>"`, as kube-apiserver makes them. */
export function etagOf(body: string): string {
  return `"${hashOf(body)}"`;
}

/** Upper-case hex SHA-512, the form kube-apiserver uses for `?hash=` in OpenAPI v3 URLs. */
export function hashOf(body: string): string {
  return createHash("sha512").update(body).digest("hex").toUpperCase();
}

/** True when an If-None-Match header names this ETag (or `*`), so the answer is 304 Not Modified. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((t) => {
    const tag = t.trim().replace(/^W\//, "");
    return tag === "*" || tag === bare;
  });
}

/** 200 with the body and its ETag, or 304 when the client already has it. */
export function answerWithEtag(opts: { body: string; contentType: string; ifNoneMatch?: string | undefined; headers?: Record<string, string> }): HttpAnswer {
  const etag = etagOf(opts.body);
  const headers = { ...opts.headers, ETag: etag };
  if (ifNoneMatchHits(opts.ifNoneMatch, etag)) return { status: 304, headers };
  return { status: 200, headers: { "Content-Type": opts.contentType, ...headers }, body: opts.body };
}
