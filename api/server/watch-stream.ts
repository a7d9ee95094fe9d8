// Streams a watch to one client: initial state (when asked), then changes from the WatchHub, with
// bookmarks, label/field filtering as transitions, a timeout, and a cut-off for clients that stall.

import type { Clock, Timer } from "../machinery/clock.js";
import { gone } from "../machinery/errors.js";
import type { KubeObject, WireWatchEvent } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { decodeObject, resourcePrefix } from "../store/keys.js";
import { isStoreError, type KeyValue, type StoreWatch, type WatchEvent } from "../store/store.js";
import { SharedEventDecoder } from "./watch-encoding.js";
import { parseListOptions } from "./list-options.js";
import type { RequestContext } from "./request-context.js";
import type { ResourceService } from "./resource-service.js";
import { parseTableAccept, toTable } from "./table.js";
import type { WatchHub } from "./watch-hub.js";
import type { WatchLimiter } from "./watch-limit.js";

export interface WatchStreamerOptions {
  hub: WatchHub;
  service: ResourceService;
  clock: Clock;
  bookmarkIntervalMs?: number;
  /** Bytes a client may leave unread before its stream is cut (see `stalled` in stream()). Default 16 MiB. */
  maxPendingBytes?: number;
  onOpen?: (delta: 1 | -1) => void;
  /** Caps open watches per identity (429 over the cap). */
  limiter?: WatchLimiter;
}

type Matcher = (obj: KubeObject) => boolean;

export class WatchStreamer {
  private readonly decoder = new SharedEventDecoder();

  constructor(private readonly opts: WatchStreamerOptions) {}

  async serve(ctx: RequestContext, info: ResourceInfo, match: Matcher): Promise<void> {
    const release = this.opts.limiter?.acquire(ctx.user?.name ?? "anonymous");
    try {
      await this.stream(ctx, info, match, release);
    } catch (err) {
      release?.();
      throw err;
    }
  }

  private async stream(ctx: RequestContext, info: ResourceInfo, match: Matcher, release: (() => void) | undefined): Promise<void> {
    const options = parseListOptions(ctx.url.searchParams, { watch: true });
    const rv = options.revision;
    const timeoutSeconds = options.timeoutSeconds ?? 0;
    const bookmarks = options.allowWatchBookmarks;
    const sendInitial = options.sendInitialEvents === true;
    const table = parseTableAccept(ctx.req.headers.accept ?? "") !== undefined;
    const prefix = resourcePrefix(info.group, info.plural);

    const initial: KubeObject[] = [];
    let from: number;
    if (rv === undefined || rv === 0 || sendInitial) {
      const listed = await this.opts.service.list(info, { match });
      initial.push(...listed.items);
      from = Number(listed.metadata.resourceVersion) + 1;
    } else {
      const oldest = await this.opts.service.store.oldestRevision();
      if (rv + 1 < oldest) throw gone(`too old resource version: ${rv} (the oldest available is ${oldest - 1}); list again and watch from the list's resourceVersion`);
      from = rv + 1;
    }

    const { res } = ctx;
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    // HEAD has no body to stream: it gets a GET's headers and ends. A stream nobody reads would keep the connection,
    // and the client's next request on it would wait for the watch to time out.
    if (ctx.req.method === "HEAD") {
      release?.();
      res.end();
      return;
    }
    res.flushHeaders();
    let lastRevision = from - 1;
    let closed = false;
    let storeWatch: StoreWatch | undefined;
    const timers: Timer[] = [];
    const maxPending = this.opts.maxPendingBytes ?? 16 * 1024 * 1024;
    this.opts.onOpen?.(1);

    const finish = (how: "end" | "cut" = "end") => {
      if (closed) return;
      closed = true;
      storeWatch?.close();
      for (const t of timers) t.cancel();
      this.opts.onOpen?.(-1);
      release?.();
      if (how === "cut") res.destroy();
      else res.end();
    };
    /** `json`: the object already serialized (shared by every watcher of the event), for a stream that is not a Table. */
    const write = (event: WireWatchEvent, json?: string) => {
      if (closed) return;
      if (json !== undefined && !table) {
        res.write(`{"type":"${event.type}","object":${json}}\n`);
        return;
      }
      const object = table && event.type !== "BOOKMARK" && event.type !== "ERROR" ? this.tableOf(info, event.object as KubeObject) : event.object;
      res.write(JSON.stringify({ type: event.type, object }) + "\n");
    };
    /**
     * True when the client left more than maxPending unread since earlier deliveries: it is cut off, as
     * kube-apiserver drops a watcher that blocks its fan-out. Checked before a delivery, so one burst
     * bigger than the cap does not cut a client that reads. Destroyed, not ended: end() would keep the
     * unread backlog in memory until the client drained it, and an ERROR event queued behind that backlog
     * would never be read. The client sees the stream break and watches again from the last
     * resourceVersion it read: events arrive in revision order, so that resumes without a gap, and when
     * that revision is compacted the new watch is answered 410 Gone (it relists).
     */
    const stalled = () => {
      if (res.writableLength <= maxPending) return false;
      finish("cut");
      return true;
    };
    const bookmark = (annotations?: Record<string, string>) =>
      write({
        type: "BOOKMARK",
        object: { apiVersion: `${info.group}/${info.version}`, kind: info.kind, metadata: { resourceVersion: String(lastRevision), ...(annotations ? { annotations } : {}) } },
      });

    ctx.req.on("close", () => finish());
    res.on("error", () => finish());
    for (const obj of initial) {
      write({ type: "ADDED", object: obj });
      // The initial state can be far bigger than the cap (a watch of 100,000 objects): it waits for the client instead.
      if (res.writableLength > maxPending) await drained(res);
      if (closed) return;
    }
    if (sendInitial && bookmarks) bookmark({ "k8s.io/initial-events-end": "true" });

    storeWatch = this.opts.hub.subscribe({
      keyPrefix: prefix,
      fromRevision: from,
      onEvents: (events) => {
        if (stalled()) return;
        for (const e of events) {
          const wire = toWireEvent(e, match, this.decoder.object);
          lastRevision = Math.max(lastRevision, e.kv.modRevision);
          if (wire) write(wire, this.decoder.json(e.kv));
        }
      },
      onError: (err) => {
        if (isStoreError(err, "Compacted")) write({ type: "ERROR", object: gone(`too old resource version: ${from - 1}`).toStatus() });
        finish();
      },
    });
    if (timeoutSeconds > 0) timers.push(this.opts.clock.setTimer(timeoutSeconds * 1000, () => finish()));
    if (bookmarks) this.scheduleBookmarks(timers, () => !closed, () => {
      lastRevision = Math.max(lastRevision, this.opts.hub.latestRevision());
      bookmark();
    });
  }

  private scheduleBookmarks(timers: Timer[], alive: () => boolean, send: () => void): void {
    const interval = this.opts.bookmarkIntervalMs ?? 30_000;
    const tick = () => {
      if (!alive()) return;
      send();
      timers.push(this.opts.clock.setTimer(interval, tick));
    };
    timers.push(this.opts.clock.setTimer(interval, tick));
  }

  private tableOf(info: ResourceInfo, obj: KubeObject): unknown {
    return { ...toTable(info, [obj], { includeObject: "Object", now: this.opts.clock.now() }), metadata: { resourceVersion: obj.metadata.resourceVersion ?? "" } };
  }
}

/** A store event as a client sees it through a selector: entering the selection is ADDED, leaving it DELETED. */
export function toWireEvent(event: WatchEvent, match: Matcher, decode: (kv: KeyValue) => KubeObject = decodeObject): WireWatchEvent | undefined {
  if (event.type === "delete") {
    const obj = decode(event.kv);
    return match(obj) ? { type: "DELETED", object: obj } : undefined;
  }
  const obj = decode(event.kv);
  const prev = event.prevKv && event.prevKv.createRevision === event.kv.createRevision ? decode(event.prevKv) : undefined;
  const now = match(obj);
  // Without a previous value, an update (not a create) of a matching object is a modification.
  const before = prev !== undefined ? match(prev) : now && event.kv.createRevision !== event.kv.modRevision;
  if (now && before) return { type: "MODIFIED", object: obj };
  if (now) return { type: "ADDED", object: obj };
  if (before) return { type: "DELETED", object: obj };
  return undefined;
}

/**
 * Resolves when the response's buffer has been written out, or the response is gone; removes both listeners
 * either way, so a long stream that waits many times does not pile up `close` listeners on its response.
 */
export function drained(res: NodeJS.WritableStream & { destroyed: boolean }): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
