// One Store watch = one etcd gRPC watch stream, so compaction and disconnects reach exactly this
// watcher (the etcd3 client's shared, auto-reconnecting watcher hides both).

import type { Etcd3, IDuplexStream, IEvent, IKeyValue, IWatchRequest, IWatchResponse } from "etcd3";
import type { KeyValue, StoreWatch, WatchEvent, WatchOptions } from "./store.js";
import { CompactedError, StoreUnavailableError } from "./store.js";

export interface EtcdWatchOptions extends WatchOptions {
  client: Etcd3;
  /** Watched range in etcd's key space (namespace prefix included). */
  key: Buffer;
  rangeEnd: Buffer | undefined;
  /** Etcd key → Store key (strips the namespace prefix). */
  toStoreKey: (key: Buffer) => string;
  mapError: (err: unknown) => Error;
}

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

export function startEtcdWatch(options: EtcdWatchOptions): StoreWatch {
  let stream: WatchStream | undefined;
  let done = false;

  const stop = (): void => {
    done = true;
    stream?.cancel();
  };
  const fail = (err: Error): void => {
    if (done) return;
    stop();
    options.onError(err);
  };

  const onResponse = (res: IWatchResponse): void => {
    if (done) return;
    if (res.compact_revision && res.compact_revision !== "0") {
      // etcd's compact revision is the oldest readable one; the Store's is the last dropped one.
      fail(new CompactedError(options.fromRevision, Number(res.compact_revision) - 1));
      return;
    }
    if (res.canceled) {
      fail(new StoreUnavailableError(`etcd canceled the watch${res.cancel_reason ? `: ${res.cancel_reason}` : ""}`));
      return;
    }
    if (res.events.length === 0) return;
    try {
      options.onEvents(res.events.map((event) => toWatchEvent(event, options.toStoreKey)));
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  };

  options.client.watchClient.watch().then(
    (opened) => {
      stream = opened;
      if (done) {
        opened.cancel();
        return;
      }
      opened.on("data", onResponse);
      opened.on("error", (err) => fail(options.mapError(err)));
      opened.on("end", () => fail(new StoreUnavailableError("etcd ended the watch stream")));
      opened.write({
        create_request: {
          key: options.key,
          ...(options.rangeEnd ? { range_end: options.rangeEnd } : {}),
          // etcd's start_revision 0 means "from now", which is also what the Store promises below 1.
          start_revision: Math.max(0, options.fromRevision),
          prev_kv: true,
        },
      });
    },
    (err: unknown) => fail(options.mapError(err)),
  );

  return { close: stop };
}

function toWatchEvent(event: IEvent, toStoreKey: (key: Buffer) => string): WatchEvent {
  const prev = event.prev_kv ? toKeyValue(event.prev_kv, toStoreKey) : undefined;
  if (event.type === "Delete") {
    // etcd's delete carries only the key and revision; the value comes from prev_kv (gone if compacted).
    const modRevision = Number(event.kv.mod_revision);
    const kv: KeyValue = prev
      ? { ...prev, modRevision }
      : { key: toStoreKey(event.kv.key), value: "", createRevision: 0, modRevision };
    return { type: "delete", kv };
  }
  const kv = toKeyValue(event.kv, toStoreKey);
  return prev ? { type: "put", kv, prevKv: prev } : { type: "put", kv };
}

export const toKeyValue = (kv: IKeyValue, toStoreKey: (key: Buffer) => string): KeyValue => ({
  key: toStoreKey(kv.key),
  value: kv.value.toString("utf8"),
  createRevision: Number(kv.create_revision),
  modRevision: Number(kv.mod_revision),
});
