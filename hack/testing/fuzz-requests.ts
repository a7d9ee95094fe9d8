// fast-check arbitraries for whole requests against the real route table: a method, a path built from a
// route's path with its segments mutated (percent-encoding, dot segments, unicode, empty, very long, `{param}`
// replaced by junk), a query string of the server's own parameters with junk values, headers (media types,
// Accept with Table, credentials valid and not) and a body (fuzz-bodies.ts).

import fc from "fast-check";
import { FUZZ_NAMES, fuzzBodyOf, kindOfPath, type FuzzBody } from "./fuzz-bodies.js";

export interface FuzzRoute {
  method: string;
  path: string;
}

export interface FuzzRequest {
  method: string;
  /** Path and query, as sent on the request line. */
  path: string;
  headers: Record<string, string>;
  body?: FuzzBody;
}

export interface FuzzRequestOptions {
  routes: readonly FuzzRoute[];
  /** The admin bearer token most requests carry, so they reach the handlers. */
  adminToken: string;
  /** Names the fuzz must never touch (the bootstrap admin, its roles and key). */
  reserved: readonly string[];
}

/** `arbitrary` in `weight` cases out of `weight + otherwise`, undefined in the rest. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>, weight: number, otherwise: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: otherwise }, { arbitrary, weight });

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** Only what a request line may carry: everything else percent-encoded, byte by byte. */
export const onTheWire = (text: string): string => text.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run).replace(/%(?![0-9A-F]{2})/g, "%25"));

const segmentJunk: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...FUZZ_NAMES), weight: 10 },
  { arbitrary: fc.constantFrom("", ".", "..", "%2e%2e", "%2F", "a%2Fb", "%ZZ", "%", "%00", "%u0041", "%C3%28", "%FF%FE", "~", "a;b", "a?b", "*", "-", "__proto__", "constructor", "hasOwnProperty", "toString"), weight: 4 },
  { arbitrary: fc.string({ maxLength: 20 }).map(encodeURIComponent), weight: 3 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 10 }).map(encodeURIComponent), weight: 2 },
  { arbitrary: fc.constantFrom(254, 255, 4000, 20_000).map((n) => "a".repeat(n)), weight: 1 },
);

/** A route's path with `{param}` filled and, sometimes, one segment mutated. */
function pathArbitrary(routes: readonly FuzzRoute[], reserved: ReadonlySet<string>): fc.Arbitrary<{ route: FuzzRoute; path: string }> {
  const creates = routes.filter((r) => r.method === "POST" && kindOfPath(r.path) !== undefined && !/\{/.test(r.path));
  return fc
    .record({
      // Creates weigh extra: the objects they make are what the reads, updates and subresources then find.
      route: fc.oneof({ arbitrary: fc.constantFrom(...routes), weight: 3 }, { arbitrary: fc.constantFrom(...creates), weight: 1 }),
      fills: fc.array(segmentJunk, { minLength: 3, maxLength: 3 }),
      mutation: rarely(fc.tuple(fc.nat(), fc.constantFrom("replace", "drop", "append", "dot", "double-slash", "upper", "trailing-slash", "encode"), segmentJunk), 1, 3),
    })
    .map(({ route, fills, mutation }) => {
      let i = 0;
      const segments = route.path
        .split("/")
        .slice(1)
        .map((s) => (/^\{[a-zA-Z]+\}$/.test(s) ? fills[i++ % fills.length]! : s))
        .map((s) => (reserved.has(decodeSafe(s)) ? FUZZ_NAMES[0] : s));
      if (mutation) {
        const [at, how, junk] = mutation;
        const k = at % segments.length;
        if (how === "replace") segments[k] = junk;
        else if (how === "drop") segments.splice(k, 1);
        else if (how === "append") segments.push(junk);
        else if (how === "dot") segments.splice(k, 0, junk.length % 2 ? "." : "..");
        else if (how === "double-slash") segments.splice(k, 0, "");
        else if (how === "upper") segments[k] = segments[k]!.toUpperCase();
        else if (how === "trailing-slash") segments.push("");
        else segments[k] = segments[k]!.replace(/[a-z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
      }
      return { route, path: onTheWire("/" + segments.join("/")) };
    });
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const QUERY_VALUES: Record<string, readonly string[]> = {
  watch: ["true", "false", "1", "0", "yes", ""],
  labelSelector: ["a=b", "a in (x,y)", "a notin (", "!a", "a,b", "a=b,c!=d", "=", "a==b", "a in ()", "x".repeat(70)],
  fieldSelector: ["metadata.name=fuzz-0", "metadata.name!=x", "spec.x=1", "=", "metadata.namespace=default", "status.phase==Ready"],
  limit: ["1", "0", "-1", "500", "abc", "1e3", "99999999999999999999", "1.5", " 1"],
  continue: ["", "%%%", "eyJ9", "eyJydiI6MSwic3RhcnQiOiJ4In0", "x".repeat(300)],
  resourceVersion: ["0", "1", "-1", "abc", "99999999999999", "18446744073709551616", ""],
  resourceVersionMatch: ["NotOlderThan", "Exact", "x"],
  timeoutSeconds: ["0", "1", "-1", "abc", "1e9"],
  allowWatchBookmarks: ["true", "x"],
  sendInitialEvents: ["true", "false", "x"],
  dryRun: ["All", "", "Some", "true"],
  fieldManager: ["fuzz", "", "x".repeat(200), "kubectl-client-side-apply"],
  fieldValidation: ["Strict", "Warn", "Ignore", "Loud"],
  force: ["true", "false", "maybe"],
  propagationPolicy: ["Foreground", "Background", "Orphan", "x"],
  gracePeriodSeconds: ["0", "-1", "x"],
  pretty: ["true"],
  verbose: [""],
  type: ["resource.created", "auth.login", "x", ""],
  since: ["1h", "2026-01-01T00:00:00Z", "x", "-1"],
  afterSeq: ["0", "-1", "x", "99999999999999999999"],
  last: ["1", "-1", "x"],
  user: ["admin", "fuzz-0", ""],
};

const queryPair: fc.Arbitrary<[string, string]> = fc.oneof(
  { arbitrary: fc.constantFrom(...Object.keys(QUERY_VALUES)).chain((k) => fc.tuple(fc.constant(k), fc.constantFrom(...QUERY_VALUES[k]!))), weight: 16 },
  { arbitrary: fc.tuple(fc.constantFrom(...Object.keys(QUERY_VALUES)), fc.string({ maxLength: 20 })), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom(...Object.keys(QUERY_VALUES)), fc.constantFrom(3000, 3000, 3000, 40_000).map((n) => "9".repeat(n))), weight: 1 },
  { arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), weight: 1 },
);

const queryArbitrary: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(""), weight: 3 },
  { arbitrary: fc.array(queryPair, { minLength: 1, maxLength: 4 }).map((pairs) => "?" + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")), weight: 6 },
  { arbitrary: fc.constantFrom("?", "?&&", "?=", "?watch", "?%%%", "?a=%ZZ", "?limit=1&limit=2", "?watch=true&watch=false", "?__proto__=x", "?constructor=x"), weight: 1 },
);

const MEDIA_TYPES = ["application/json", "application/yaml", "application/merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml", "application/strategic-merge-patch+json", "application/json; charset=utf-8", "application/json; charset=latin1", "application/yaml; charset=UTF-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/vnd.kubernetes.protobuf", "*/*", "application/", ";;;", "application/json;;a==b"];
const ACCEPTS = ["application/json", "application/yaml", "application/json;as=Table;v=v1;g=meta.k8s.io", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json", "application/json;as=Table;v=v1beta1;g=meta.k8s.io", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", "application/vnd.kubernetes.protobuf", "*/*", "text/html", "text/plain;q=0", "application/json;q=abc", ";", "x/y;as=Table"];

function headersArbitrary(adminToken: string): fc.Arbitrary<Record<string, string>> {
  const authorization = fc.oneof(
    { arbitrary: fc.constant(`Bearer ${adminToken}`), weight: 30 },
    { arbitrary: fc.constantFrom("", "Bearer", "Bearer ", "Bearer clk_x", `Bearer ${adminToken}x`, `bearer ${adminToken}`, "Basic YWRtaW46YWRtaW4=", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", `Bearer ${"a".repeat(9000)}`), weight: 2 },
    { arbitrary: fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`), weight: 1 },
  );
  return fc
    .record(
      {
        "content-type": fc.oneof(fc.constantFrom(...MEDIA_TYPES), fc.string({ maxLength: 30 })),
        accept: fc.oneof(fc.constantFrom(...ACCEPTS), fc.string({ maxLength: 30 })),
        authorization,
        extra: rarely(
          fc.oneof(
            fc.tuple(fc.constant("x-api-key"), fc.oneof(fc.constantFrom("", "clk_x", "ak_x", adminToken), fc.string({ maxLength: 20 }))),
            fc.tuple(fc.constant("content-encoding"), fc.constantFrom("gzip", "identity", "x")),
            fc.tuple(fc.constant("x-forwarded-for"), fc.constantFrom("203.0.113.42", "::1", "x, y", "1.1.1.1, 127.0.0.1")),
            fc.tuple(fc.constantFrom("impersonate-user", "impersonate-group", "x-remote-user", "forwarded"), fc.constantFrom("admin", "system:masters", "for=1.2.3.4", "")),
          ),
          1,
          4,
        ),
      },
      { requiredKeys: ["authorization", "extra"] },
    )
    .map(({ extra, ...headers }) => ({ ...headers, ...(extra ? { [extra[0]]: extra[1] } : {}) }))
    .map((headers) => Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== "").map(([k, v]) => [k, headerSafe(v)])));
}

/** Header values may not hold control characters (Node refuses to send them); everything else goes. */
const headerSafe = (v: string): string => v.replace(/[^\t\x20-\x7e]/g, "?");

/** Requests of every shape, most of them well-formed enough to reach a handler. */
export function fuzzRequest(opts: FuzzRequestOptions): fc.Arbitrary<FuzzRequest> {
  const reserved = new Set(opts.reserved);
  return pathArbitrary(opts.routes, reserved).chain((target) =>
    fc
      .record({
        otherMethod: rarely(fc.constantFrom(...METHODS), 1, 7),
        query: queryArbitrary,
        headers: headersArbitrary(opts.adminToken),
        body: fc.option(fuzzBodyOf(kindOfPath(target.route.path)), { freq: 12, nil: undefined }),
        matchingType: fc.nat({ max: 9 }),
      })
      .map(({ otherMethod, query, headers, body, matchingType }): FuzzRequest => {
        const method = otherMethod ?? target.route.method;
        const sendsBody = method === "POST" || method === "PUT" || method === "PATCH";
        // Seven bodies in ten carry a media type that fits them, so most reach the decoder and the handler.
        const fitting: Record<string, string> = body && matchingType < 7 ? { "content-type": typeFor(method, body, matchingType) } : {};
        return { method, path: target.path + query, headers: { ...headers, ...fitting }, ...(sendsBody && body ? { body } : {}) };
      }),
  );
}

/** A media type that fits the body and the method: PATCH takes the patch types, the rest JSON or YAML. */
function typeFor(method: string, body: FuzzBody, pick: number): string {
  const yaml = body.label.startsWith("yaml");
  if (method === "PATCH") return body.label === "json-patch" ? "application/json-patch+json" : yaml || pick % 2 ? "application/apply-patch+yaml" : "application/merge-patch+json";
  return yaml ? "application/yaml" : "application/json";
}

/** A request in one line, for a failure report and a regression table. */
export function describeRequest(r: FuzzRequest): string {
  const body = r.body ? ` ${r.body.label} ${JSON.stringify(r.body.bytes.length > 300 ? `${r.body.bytes.subarray(0, 300).toString("latin1")}…(${r.body.bytes.length} bytes)` : r.body.bytes.toString("latin1"))}` : "";
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${k === "authorization" ? v.slice(0, 20) : v.slice(0, 80)}`)
    .join(" | ");
  return `${r.method} ${r.path.length > 300 ? r.path.slice(0, 300) + "…" : r.path} [${headers}]${body}`;
}
