// The etcd Store (HA): the etcd3 client against a real etcd. Creates, updates and deletes are
// single transactions guarded on the key's create/mod revision, and Store.txn is one etcd Txn
// (etcd-txn.ts); reads, watches and compaction map one-to-one onto etcd's. An optional prefix
// namespaces every key (tests use a random one).

import { CompareResult, CompareTarget, Etcd3, type ICompare, type IKeyValue, type IRequestOp, type ITxnResponse } from "etcd3";
import type { KeyValue, ListOptions, ListResult, Store, StoreWatch, TxnCompare, TxnOp, TxnResult, WatchOptions } from "./store.js";
import { CompactedError, RequestTooLargeError, KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreUnavailableError } from "./store.js";
import { systemClock, type Clock } from "../machinery/clock.js";
import { etcdCompactRevision, isCompactedFailure, mapEtcdError } from "./etcd-errors.js";
import { startEtcdWatch, toKeyValue } from "./etcd-watch.js";
import { fromEtcdTxnResponse, toEtcdTxnRequest, type EtcdKeyMapping } from "./etcd-txn.js";
import { checkTxn } from "./txn-check.js";
import { DEFAULT_ETCD_CALL_TIMEOUT_MS, etcdCallPolicy } from "./etcd-call-policy.js";

export interface EtcdStoreOptions {
  /** Client URLs, e.g. ["http://127.0.0.1:2379"]. */
  endpoints: string[];
  /** Namespace for every key: a Store key k is etcd key prefix + k. */
  prefix?: string;
  /** Deadline of each request (ms); default DEFAULT_ETCD_CALL_TIMEOUT_MS. */
  callTimeoutMs?: number;
  /** Deadline of ping (ms): how fast an unreachable etcd is reported. */
  pingTimeoutMs?: number;
  clock?: Clock;
}

/** Creates the client; no I/O happens until the first call (use ping to check the connection). */
export function openEtcdStore(options: EtcdStoreOptions): EtcdStore {
  if (options.endpoints.length === 0) throw new Error("openEtcdStore needs at least one endpoint, e.g. http://127.0.0.1:2379");
  return new EtcdStore(options);
}

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly prefix: Buffer;
  private readonly clock: Clock;
  private readonly pingTimeoutMs: number;
  private readonly callTimeoutMs: number;
  /** Open watches and how to tell each that the store closed. */
  private readonly watches = new Map<StoreWatch, (err: Error) => void>();
  private closed = false;

  constructor(private readonly options: EtcdStoreOptions) {
    this.prefix = Buffer.from(options.prefix ?? "", "utf8");
    this.clock = options.clock ?? systemClock;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 2000;
    // Deadlines, require-leader and retries: a dead etcd or a lost quorum fails requests quickly (etcd-call-policy.ts).
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_ETCD_CALL_TIMEOUT_MS;
    this.client = new Etcd3({ hosts: options.endpoints, ...etcdCallPolicy({ clock: this.clock, callTimeoutMs: this.callTimeoutMs }) });
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await this.call((deadline) => this.client.kv.range({ key: this.etcdKey(key) }, deadline));
    const kv = res.kvs[0];
    return kv ? this.toKeyValue(kv) : undefined;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const start = this.etcdKey(prefix);
    const after = options.startAfter !== undefined && options.startAfter >= prefix;
    const revision = options.revision && options.revision > 0 ? options.revision : undefined;
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const res = await this.call(
      (deadline) =>
        this.client.kv.range(
          {
            // Just past startAfter: etcd ranges are [key, range_end).
            key: after ? Buffer.concat([this.etcdKey(options.startAfter ?? ""), Buffer.from([0])]) : nonEmpty(start),
            range_end: rangeEnd(start),
            ...(limit > 0 ? { limit } : {}),
            ...(revision !== undefined ? { revision } : {}),
          },
          deadline,
        ),
      revision,
    );
    return { items: res.kvs.map((kv) => this.toKeyValue(kv)), revision: revision ?? Number(res.header.revision), more: res.more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    checkSize(key.length + Buffer.byteLength(value));
    const etcdKey = this.etcdKey(key);
    const res = await this.guardedTxn(
      [{ key: etcdKey, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
      [{ request_put: { key: etcdKey, value: Buffer.from(value, "utf8") } }],
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    const revision = Number(res.header.revision);
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    checkSize(key.length + Buffer.byteLength(value));
    const etcdKey = this.etcdKey(key);
    const res = await this.guardedTxn(this.guard(etcdKey, expectedModRevision), [
      { request_put: { key: etcdKey, value: Buffer.from(value, "utf8"), prev_kv: true } },
    ]);
    if (!res.succeeded) throw this.guardFailure(key, expectedModRevision, res);
    const prev = res.responses[0]?.response_put?.prev_kv;
    const revision = Number(res.header.revision);
    return { key, value, createRevision: prev ? Number(prev.create_revision) : revision, modRevision: revision };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    const etcdKey = this.etcdKey(key);
    const res = await this.guardedTxn(this.guard(etcdKey, expectedModRevision), [
      { request_delete_range: { key: etcdKey, prev_kv: true } },
    ]);
    if (!res.succeeded) throw this.guardFailure(key, expectedModRevision, res);
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    if (!prev) throw new KeyNotFoundError(key);
    return { kv: this.toKeyValue(prev), revision: Number(res.header.revision) };
  }

  /** One etcd Txn: every write shares its revision. */
  async txn(compares: readonly TxnCompare[], ops: readonly TxnOp[]): Promise<TxnResult> {
    checkTxn(compares, ops);
    checkSize(ops.reduce((n, op) => n + op.key.length + (op.kind === "put" ? Buffer.byteLength(op.value) : 0), 0) + compares.reduce((n, c) => n + c.key.length + 16, 0));
    const keys: EtcdKeyMapping = { toEtcdKey: (key) => this.etcdKey(key), toKeyValue: (kv) => this.toKeyValue(kv) };
    const res = await this.call((deadline) => this.client.kv.txn(toEtcdTxnRequest(compares, ops, keys), deadline));
    return fromEtcdTxnResponse(compares, ops, res, keys);
  }

  watch(prefix: string, options: WatchOptions): StoreWatch {
    if (this.closed) {
      queueMicrotask(() => options.onError(this.closedError()));
      return { close: () => undefined };
    }
    const start = this.etcdKey(prefix);
    let ended = false;
    const end = (): void => {
      ended = true;
      this.watches.delete(handle);
    };
    const inner = startEtcdWatch({
      ...options,
      onError: (err) => {
        end();
        options.onError(err);
      },
      client: this.client,
      key: nonEmpty(start),
      rangeEnd: rangeEnd(start),
      toStoreKey: (key) => this.storeKey(key),
      mapError: (err) => mapEtcdError(err, { endpoints: this.options.endpoints }),
    });
    const handle: StoreWatch = {
      close: () => {
        end();
        inner.close();
      },
    };
    this.watches.set(handle, (err) => {
      if (ended) return;
      handle.close();
      options.onError(err);
    });
    return handle;
  }

  async currentRevision(): Promise<number> {
    const res = await this.call((deadline) => this.client.kv.range({ key: this.probeKey(), count_only: true }, deadline));
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.call((deadline) => this.client.kv.compact({ revision }, deadline), revision);
    } catch (err) {
      // Compacting at or below the horizon again drops nothing: a no-op, as on the embedded store.
      if (!(err instanceof CompactedError)) throw err;
    }
  }

  async oldestRevision(): Promise<number> {
    return Math.max(1, await this.call(() => this.compactRevision()));
  }

  async ping(): Promise<void> {
    let timer: { cancel(): void } | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimer(this.pingTimeoutMs, () =>
        reject(new StoreUnavailableError(`etcd at ${this.options.endpoints.join(",")} did not answer within ${this.pingTimeoutMs} ms`)),
      );
    });
    const probe = this.call(() =>
      this.client.kv.range({ key: this.probeKey(), count_only: true }, { deadline: this.clock.now() + this.pingTimeoutMs }),
    );
    try {
      await Promise.race([probe, timeout]);
    } finally {
      timer?.cancel();
      probe.catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = this.closedError();
    for (const endWatch of [...this.watches.values()]) endWatch(error);
    this.client.close();
  }

  /**
   * Runs a request, mapping failures onto Store errors (compaction needs etcd's horizon, so it is asked). One
   * deadline covers every attempt the client makes (etcd-call-policy.ts), so retrying never makes a request
   * wait longer than the call timeout.
   */
  private async call<T>(fn: (deadline: { deadline: number }) => Promise<T>, revision?: number): Promise<T> {
    if (this.closed) throw this.closedError();
    try {
      return await fn({ deadline: this.clock.now() + this.callTimeoutMs });
    } catch (err) {
      if (isCompactedFailure(err) && revision !== undefined) {
        const compactRevision = await this.compactRevision().catch(() => revision + 1);
        throw new CompactedError(revision, compactRevision - 1);
      }
      throw mapEtcdError(err, { endpoints: this.options.endpoints, revision });
    }
  }

  private compactRevision(): Promise<number> {
    return etcdCompactRevision({ client: this.client, probeKey: this.probeKey(), timeoutMs: this.pingTimeoutMs });
  }

  private guardedTxn(compare: ICompare[], success: IRequestOp[]): Promise<ITxnResponse> {
    const key = compare[0]?.key;
    return this.call((deadline) => this.client.kv.txn({ compare, success, failure: key ? [{ request_range: { key } }] : [] }, deadline));
  }

  /** The key exists (version > 0) and, when expected is given, was last written at that revision. */
  private guard(key: Buffer, expected: number | undefined): ICompare[] {
    const exists: ICompare = { key, target: CompareTarget.Version, result: CompareResult.Greater, version: 0 };
    if (expected === undefined) return [exists];
    return [exists, { key, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: expected }];
  }

  /** Why a guarded write failed, read from the failure branch's range of the key. */
  private guardFailure(key: string, expected: number | undefined, res: ITxnResponse): Error {
    const current = res.responses[0]?.response_range?.kvs[0];
    if (!current) return new KeyNotFoundError(key);
    return new RevisionConflictError(key, expected ?? 0, Number(current.mod_revision));
  }

  private etcdKey(key: string): Buffer {
    return Buffer.concat([this.prefix, Buffer.from(key, "utf8")]);
  }

  private probeKey(): Buffer {
    return nonEmpty(this.prefix);
  }

  private storeKey(key: Buffer): string {
    return key.subarray(this.prefix.length).toString("utf8");
  }

  private toKeyValue(kv: IKeyValue): KeyValue {
    return toKeyValue(kv, (key) => this.storeKey(key));
  }

  private closedError(): StoreUnavailableError {
    return new StoreUnavailableError(`the etcd store (${this.options.endpoints.join(",")}) is closed`);
  }
}

/** etcd's range end for a prefix: the prefix with its last byte below 0xff incremented; "\0" (all keys) for none. */
function rangeEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i];
    if (byte !== undefined && byte < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] = byte + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

/**
 * etcd refuses requests over --max-request-bytes (1.5 MiB by default); past ~2 MiB the etcd3 client
 * retries them and opens its circuit breaker, failing every call for seconds. One oversized write must
 * not take the store down for everyone, so it is refused here, before it is sent.
 */
export const ETCD_MAX_WRITE_BYTES = 1_400_000;

function checkSize(bytes: number): void {
  if (bytes > ETCD_MAX_WRITE_BYTES) throw new RequestTooLargeError(bytes, ETCD_MAX_WRITE_BYTES);
}

/** etcd reads an empty key as "no key"; "\0" is the smallest real one. */
const nonEmpty = (key: Buffer): Buffer => (key.length > 0 ? key : Buffer.from([0]));
