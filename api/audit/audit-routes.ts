// The audit endpoints as route-table entries: queries, the raw log for verification, the published
// signing keys and a status. Every one needs audit:read, declared here and checked by the pipeline.

import { sendJson, sendText } from "../server/http-io.js";
import { queryBool } from "../server/query-params.js";
import type { RequestContext } from "../server/request-context.js";
import type { Route } from "../server/route-table.js";
import { drained } from "../server/watch-stream.js";
import { badRequest } from "../machinery/errors.js";
import { AUDIT_GROUP, MAX_LAST, MAX_PAGE, auditPaths, type AuditEventList, type AuditLogHeader, type AuditStatus, type PublicKeyList } from "../types/audit-api.js";
import type { AuditLog } from "./audit-log.js";
import { AuditReader, type AuditQuery } from "./audit-reader.js";
import { serveAuditWatch, type AuditWatchOptions } from "./audit-watch.js";
import { BATCH_PAGE, type BatchStore } from "./batch-store.js";

export interface AuditRoutesOptions {
  batches: BatchStore;
  /** For the live stream (events?watch=true); without it a watch is refused with 400. */
  watch?: Omit<AuditWatchOptions, "reader">;
  /** The server's AuditLog, for /status (writability); optional for read-only mounts. */
  log?: AuditLog;
}

export function auditRoutes(opts: AuditRoutesOptions): Route[] {
  const reader = new AuditReader(opts.batches);
  const route = (sub: keyof typeof auditPaths, handler: (ctx: RequestContext) => Promise<void>): Route => ({
    id: `audit.${sub}`,
    method: "GET",
    path: auditPaths[sub],
    verb: sub === "events" ? (q) => (queryBool(q.get("watch")) ? "watch" : "get") : "get",
    target: { group: AUDIT_GROUP, version: "v1", resource: "audit", subresource: sub === "publicKeys" ? "publickeys" : sub },
    access: { kind: "permission", resource: "audit", action: "read" },
    cost: sub === "batches" ? "expensive" : "read",
    handler,
  });
  return [
    route("events", (ctx) => (queryBool(ctx.url.searchParams.get("watch")) ? watchEvents(ctx, reader, opts.watch) : serveEvents(ctx, reader))),
    route("batches", (ctx) => serveBatches(ctx, opts.batches, reader)),
    route("publicKeys", (ctx) => servePublicKeys(ctx, opts.batches)),
    route("status", (ctx) => serveStatus(ctx, reader, opts.log)),
  ];
}

/** Parses the events endpoint's query string; ApiError 400 naming the bad parameter. */
export function parseEventsQuery(params: URLSearchParams): AuditQuery {
  const types = params.getAll("type").flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean);
  for (const t of types) if (!/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*(\.\*)?$/.test(t)) throw badRequest(`type "${t}" is not an event type such as auth.login, or a family such as auth.*`);
  const time = (name: string): number | undefined => {
    const text = params.get(name);
    if (text === null || text === "") return undefined;
    const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(ms)) throw badRequest(`${name} "${text}" is not an RFC 3339 time such as 2026-02-05T00:00:00Z`);
    return ms;
  };
  const count = (name: string, max: number): number | undefined => {
    const text = params.get(name);
    if (text === null || text === "") return undefined;
    if (!/^\d+$/.test(text) || Number(text) > max) throw badRequest(`${name} must be a whole number from 0 to ${max}, not "${text}"`);
    return Number(text);
  };
  const last = count("last", MAX_LAST);
  const afterSeq = count("afterSeq", Number.MAX_SAFE_INTEGER);
  if (last !== undefined && afterSeq !== undefined) throw badRequest("last and afterSeq cannot be combined: last reads back from the newest entry, afterSeq pages forward");
  const user = params.get("user");
  const since = time("since");
  const until = time("until");
  if (since !== undefined && until !== undefined && since > until) throw badRequest("since is after until");
  return {
    ...(types.length > 0 ? { types } : {}),
    ...(user ? { user } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(last !== undefined ? { last } : {}),
    ...(afterSeq !== undefined ? { afterSeq } : {}),
    limit: count("limit", MAX_PAGE) || 500,
  };
}

async function watchEvents(ctx: RequestContext, reader: AuditReader, watch: AuditRoutesOptions["watch"]): Promise<void> {
  if (!watch) throw badRequest("this server does not stream the audit log; query events with afterSeq instead");
  await serveAuditWatch(ctx, parseEventsQuery(ctx.url.searchParams), { ...watch, reader });
}

async function serveEvents(ctx: RequestContext, reader: AuditReader): Promise<void> {
  const page = await reader.query(parseEventsQuery(ctx.url.searchParams));
  const body: AuditEventList = {
    apiVersion: `${AUDIT_GROUP}/v1`,
    kind: "AuditEventList",
    metadata: { headSeq: page.headSeq, firstSeq: page.firstSeq, ...(page.continueAfter !== undefined ? { continue: String(page.continueAfter) } : {}) },
    items: page.items,
  };
  sendJson(ctx.res, 200, body);
}

/** Streams the stored batches verbatim (one per line, as the verifier needs them), with backpressure. */
async function serveBatches(ctx: RequestContext, batches: BatchStore, reader: AuditReader): Promise<void> {
  const afterText = ctx.url.searchParams.get("after");
  if (afterText !== null && !/^\d+$/.test(afterText)) throw badRequest(`after must be a batch number, not "${afterText}"`);
  const anchor = (await batches.anchor())?.anchor ?? null;
  const header: AuditLogHeader = { kind: "AuditLogHeader", anchor, headSeq: (await reader.bounds())?.headSeq ?? 0 };
  const res = ctx.res;
  res.writeHead(200, { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" });
  const write = async (line: string): Promise<boolean> => {
    if (res.destroyed) return false;
    if (!res.write(`${line}\n`)) await drained(res);
    return !res.destroyed;
  };
  if (ctx.req.method === "HEAD") return void res.end();
  await write(JSON.stringify(header));
  let after = afterText === null ? undefined : Number(afterText);
  for (;;) {
    const page = await batches.page(after, BATCH_PAGE);
    for (const item of page.items) if (!(await write(item.raw))) return;
    const last = page.items.at(-1);
    if (!page.more || !last) break;
    after = last.batch;
  }
  res.end();
}

async function servePublicKeys(ctx: RequestContext, batches: BatchStore): Promise<void> {
  const keys = await batches.publishedKeys();
  if (ctx.url.searchParams.get("format") === "pem") return sendText(ctx.res, 200, keys.map((k) => k.publicKeyPem.trim()).join("\n") + (keys.length ? "\n" : ""), "application/x-pem-file");
  const body: PublicKeyList = { kind: "PublicKeyList", items: keys };
  sendJson(ctx.res, 200, body);
}

async function serveStatus(ctx: RequestContext, reader: AuditReader, log: AuditLog | undefined): Promise<void> {
  const bounds = await reader.bounds();
  const head = log?.currentHead();
  const body: AuditStatus = {
    kind: "AuditStatus",
    enabled: log?.enabled ?? true,
    healthy: log?.healthy() ?? true,
    headSeq: bounds?.headSeq ?? 0,
    firstSeq: (bounds?.prunedThrough ?? 0) + 1,
    ...(head ? { signedSeq: head.signedSeq } : {}),
  };
  sendJson(ctx.res, 200, body);
}
