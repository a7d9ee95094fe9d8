// The live audit stream: `GET …/events?watch=true`, newline-delimited watch events as a Kubernetes watch
// sends them. It replays what the client asked for (the last N matches, or every match after a seq it
// already holds), then follows the log through a Store watch on the batch keys, so every server streams
// the entries any server appends. Each entry is sent once, in seq order; a client resumes with
// afterSeq = the last seq it saw (from an entry or a BOOKMARK).

import type { AuditEntry } from "../client/audit/event.js";
import { decodeBatch } from "../client/audit/batch.js";
import type { Clock, Timer } from "../machinery/clock.js";
import { badRequest, gone } from "../machinery/errors.js";
import type { RequestContext } from "../server/request-context.js";
import type { WatchLimiter } from "../server/watch-limit.js";
import { drained } from "../server/watch-stream.js";
import type { Store, StoreWatch, WatchEvent } from "../store/store.js";
import { AUDIT_GROUP, type AuditWatchEvent } from "../types/audit-api.js";
import { BATCH_PREFIX } from "./batch-keys.js";
import { matches, type AuditQuery, type AuditReader } from "./audit-reader.js";

export interface AuditWatchOptions {
  store: Store;
  reader: AuditReader;
  clock: Clock;
  limiter: WatchLimiter;
  /** A BOOKMARK with the head seq this often, so idle streams stay open through proxies and clients learn the head. */
  bookmarkIntervalMs?: number;
  /** Bytes buffered for a client that does not read before its stream is ended (it resumes with afterSeq). */
  maxPendingBytes?: number;
  /**
   * The longest a stream stays open (default 30 min): the client reconnects with afterSeq, and so
   * authenticates again — a revoked key or an expired session does not keep reading the log.
   */
  maxLifetimeMs?: number;
}

export const DEFAULT_AUDIT_WATCH_LIFETIME_MS = 30 * 60_000;

const MAX_TIMEOUT_SECONDS = 24 * 3600;

export async function serveAuditWatch(ctx: RequestContext, query: AuditQuery, opts: AuditWatchOptions): Promise<void> {
  if (query.until !== undefined) throw badRequest("until cannot be used with watch: a watch follows the log forward without end; use timeoutSeconds to bound it");
  const timeoutSeconds = parseTimeout(ctx.url.searchParams.get("timeoutSeconds"));
  const release = opts.limiter.acquire(ctx.user?.name ?? "anonymous");
  try {
    await stream(ctx, query, timeoutSeconds, opts, release);
  } catch (err) {
    release();
    throw err;
  }
}

function parseTimeout(text: string | null): number {
  if (text === null || text === "") return 0;
  if (!/^\d+$/.test(text) || Number(text) > MAX_TIMEOUT_SECONDS) throw badRequest(`timeoutSeconds must be a whole number of seconds from 0 to ${MAX_TIMEOUT_SECONDS}, not "${text}"`);
  return Number(text);
}

async function stream(ctx: RequestContext, query: AuditQuery, timeoutSeconds: number, opts: AuditWatchOptions, release: () => void): Promise<void> {
  // The revision first, then the replay: whatever is appended meanwhile reaches the watch, and seq order drops repeats.
  const fromRevision = (await opts.store.currentRevision()) + 1;
  const bounds = await opts.reader.bounds();
  const headSeq = bounds?.headSeq ?? 0;
  const prunedThrough = bounds?.prunedThrough ?? 0;
  if (query.afterSeq !== undefined && query.afterSeq < prunedThrough)
    throw gone(`entries after seq ${query.afterSeq} were pruned by retention; the oldest retained is ${prunedThrough + 1}. Watch from afterSeq=${prunedThrough} or without afterSeq`);
  const replay: AsyncIterable<AuditEntry> | AuditEntry[] =
    query.last !== undefined
      ? (await opts.reader.query({ ...query, afterSeq: undefined, limit: query.last })).items
      : query.afterSeq !== undefined
        ? opts.reader.entriesAfter(query.afterSeq, bounds)
        : [];

  const { res } = ctx;
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  // HEAD has no body to stream: it gets a GET's headers and ends, rather than hold the connection until the timeout.
  if (ctx.req.method === "HEAD") {
    release();
    res.end();
    return;
  }
  res.flushHeaders();
  // Everything up to sentSeq is behind the client: the head when it asked for no history, or what it holds.
  let sentSeq = query.afterSeq ?? headSeq;
  let closed = false;
  let storeWatch: StoreWatch | undefined;
  const timers: Timer[] = [];
  const maxPending = opts.maxPendingBytes ?? 4 * 1024 * 1024;
  const finish = () => {
    if (closed) return;
    closed = true;
    storeWatch?.close();
    for (const t of timers) t.cancel();
    release();
    res.end();
  };
  const write = (event: AuditWatchEvent) => {
    if (closed) return;
    res.write(`${JSON.stringify(event)}\n`);
    if (res.writableLength > maxPending) finish();
  };
  const send = (entry: AuditEntry) => {
    if (entry.seq <= sentSeq) return;
    sentSeq = entry.seq;
    if (matches(entry, query)) write({ type: "ADDED", object: entry });
  };
  /** Ends the stream with a Status the client can act on: reconnect with afterSeq. */
  const end = (err: Error) => {
    write({ type: "ERROR", object: { apiVersion: "v1", kind: "Status", status: "Failure", code: 503, reason: "ServiceUnavailable", message: `the audit stream ended (${err.message}); watch again with afterSeq=${sentSeq}` } });
    finish();
  };
  ctx.req.on("close", finish);
  res.on("error", finish);

  // Live batches wait in order behind the replay.
  const held: WatchEvent[][] = [];
  let replaying = true;
  const follow = (events: WatchEvent[]) => {
    try {
      for (const e of events) if (e.type === "put") for (const entry of decodeBatch(e.kv.value, e.kv.key).entries) send(entry);
    } catch (err) {
      end(err instanceof Error ? err : new Error(String(err)));
    }
  };
  storeWatch = opts.store.watch(BATCH_PREFIX, {
    fromRevision,
    onEvents: (events) => (replaying ? held.push(events) : follow(events)),
    onError: (err) => end(err),
  });

  try {
    if (Array.isArray(replay))
      for (const entry of replay) {
        write({ type: "ADDED", object: entry });
        sentSeq = Math.max(sentSeq, entry.seq);
      }
    else
      for await (const entry of replay) {
        if (closed) break;
        send(entry);
        if (res.writableLength > 64 * 1024) await drained(res);
      }
  } catch (err) {
    return end(err instanceof Error ? err : new Error(String(err)));
  }
  replaying = false;
  for (const events of held.splice(0)) follow(events);
  if (closed) return;

  const bookmark = () => write({ type: "BOOKMARK", object: { apiVersion: `${AUDIT_GROUP}/v1`, kind: "AuditBookmark", seq: sentSeq } });
  bookmark();
  const interval = opts.bookmarkIntervalMs ?? 30_000;
  // Each bookmark asks again whether the caller may still read the log: a user disabled or a role taken away
  // ends the stream within one interval, not at its timeout.
  const tick = () => {
    if (closed) return;
    ctx.authorize({ resource: "audit", action: "read" }).then(
      () => {
        if (closed) return;
        bookmark();
        timers.push(opts.clock.setTimer(interval, tick));
      },
      (err: unknown) => {
        const code = typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 403;
        write({ type: "ERROR", object: { apiVersion: "v1", kind: "Status", status: "Failure", code, reason: code === 403 ? "Forbidden" : "InternalError", message: `the audit stream ended: ${(err as Error).message}` } });
        finish();
      },
    );
  };
  timers.push(opts.clock.setTimer(interval, tick));
  const lifetimeMs = Math.min(timeoutSeconds > 0 ? timeoutSeconds * 1000 : Infinity, opts.maxLifetimeMs ?? DEFAULT_AUDIT_WATCH_LIFETIME_MS);
  timers.push(opts.clock.setTimer(lifetimeMs, finish));
}
