// The Store contract: etcd's semantics, shared by the embedded (SQLite) and etcd backends.
// Every backend passes api/store/conformance.ts. Revisions are plain numbers (safe to 2^53).

/** One stored key at one revision. `value` is the encoded object (see codec.ts). */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which the key was (last) created. */
  createRevision: number;
  /** Revision of the last write to the key; becomes metadata.resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Most items to return; 0 or absent means all. */
  limit?: number;
  /** Resume after this key (exclusive), within the same prefix. */
  startAfter?: string;
  /** Read at this revision (a snapshot); absent means the current revision. Compacted → CompactedError. */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more items follow the last one returned. */
  more: boolean;
}

export type WatchEvent =
  | { type: "put"; kv: KeyValue; prevKv?: KeyValue }
  /** `kv` holds the last value before deletion; `kv.modRevision` is the revision of the delete. */
  | { type: "delete"; kv: KeyValue };

export interface WatchOptions {
  /** Deliver every event with revision >= fromRevision (etcd's start_revision, inclusive). */
  fromRevision: number;
  /** Called with events in revision order; events of one revision arrive together. */
  onEvents: (events: WatchEvent[]) => void;
  /** Called once when the watch ends abnormally (CompactedError, StoreUnavailableError). No more events after. */
  onError: (err: Error) => void;
}

export interface StoreWatch {
  close(): void;
}

/**
 * A condition a transaction checks before it writes (etcd's Compare, narrowed to what callers need).
 * `modRevision`: the key exists and was last written at exactly that revision (an integer >= 1).
 * `absent`: the key does not exist (never created, or deleted).
 */
export type TxnCompare = { key: string; modRevision: number } | { key: string; absent: true };

/** A write in a transaction: a put creates a missing key or updates a live one; a delete of a missing key does nothing. */
export type TxnOp = { kind: "put"; key: string; value: string } | { kind: "delete"; key: string };

/** What one op did, at its op's index. */
export type TxnOpResult =
  /** `kv` as written (createRevision kept by an update); `prevKv` is the value replaced, absent when the put created the key. */
  | { kind: "put"; kv: KeyValue; prevKv?: KeyValue }
  /** `deleted` is what Store.delete returns (last value, delete's revision); absent when the key did not exist (a no-op, as on etcd). */
  | { kind: "delete"; key: string; deleted?: { kv: KeyValue; revision: number } };

/**
 * The outcome of Store.txn. `revision` is the store's revision right after the transaction: a read at
 * it sees every write of a succeeded txn, and no other write lies between the txn's writes. On etcd
 * all writes share that one revision; on SQLite each write takes its own, consecutive in op order,
 * and `revision` is the last. Read each write's revision from its result, never assume they share one.
 * A txn that wrote nothing (or failed) reports the revision its compares were evaluated at.
 */
export type TxnResult =
  | { succeeded: true; revision: number; results: TxnOpResult[] }
  | {
      succeeded: false;
      revision: number;
      /** Indexes into the compares of those that were false, ascending (never empty). */
      failedCompares: number[];
      /** For every compare, by index: its key's modRevision when evaluated, 0 when absent. */
      currentModRevisions: number[];
    };

/** etcd's default --max-txn-ops; both backends refuse more compares or more ops, so code tested on SQLite runs on etcd. */
export const TXN_MAX_OPS = 128;

export interface Store {
  /** Current value of a key, or undefined. */
  get(key: string): Promise<KeyValue | undefined>;
  /** Keys under a prefix in key order, at one revision. */
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Creates a key that must not exist; KeyExistsError otherwise. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Replaces a key whose modRevision equals expectedModRevision; KeyNotFoundError or RevisionConflictError. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes a key, guarded by expectedModRevision when given. Returns the deleted value and the delete's revision. */
  delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }>;
  /**
   * Applies every op atomically when every compare holds, nothing otherwise (etcd's Txn). Ops write
   * distinct keys; a key written twice, a modRevision below 1 or more than TXN_MAX_OPS compares or
   * ops reject with RangeError. Watches see the writes in op order with prevKv, as for single writes.
   * Store down or closed → StoreUnavailableError. Size is the caller's to bound: etcd refuses a
   * request over --max-request-bytes (1.5 MiB by default) and applies nothing; past ~2 MiB the etcd3
   * client also retries it and opens its circuit breaker (every call fails for 5 s). SQLite has no limit.
   */
  txn(compares: readonly TxnCompare[], ops: readonly TxnOp[]): Promise<TxnResult>;
  /** Streams changes under a prefix from a revision still in history. */
  watch(prefix: string, options: WatchOptions): StoreWatch;
  /** The store's current global revision. */
  currentRevision(): Promise<number>;
  /** Drops history before `revision`; watches and reads below it fail with CompactedError. */
  compact(revision: number): Promise<void>;
  /** The oldest revision still readable (compacted revision + 1, or 1). */
  oldestRevision(): Promise<number>;
  /** Resolves when the backend answers a trivial read; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type StoreErrorCode = "KeyExists" | "KeyNotFound" | "RevisionConflict" | "Compacted" | "Unavailable" | "TooLarge";

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

export class KeyExistsError extends StoreError {
  constructor(readonly key: string) {
    super("KeyExists", `key ${key} already exists`);
  }
}

export class KeyNotFoundError extends StoreError {
  constructor(readonly key: string) {
    super("KeyNotFound", `key ${key} not found`);
  }
}

export class RevisionConflictError extends StoreError {
  constructor(
    readonly key: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super("RevisionConflict", `key ${key} is at revision ${actual}, not ${expected}`);
  }
}

export class CompactedError extends StoreError {
  constructor(
    readonly requested: number,
    readonly compactRevision: number,
  ) {
    super("Compacted", `revision ${requested} has been compacted; the oldest available revision is ${compactRevision + 1}`);
  }
}

export class StoreUnavailableError extends StoreError {
  constructor(message: string) {
    super("Unavailable", message);
  }
}

/** A write the backend cannot take in one request (etcd's --max-request-bytes); nothing was applied. */
export class RequestTooLargeError extends StoreError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super("TooLarge", `the write is ${bytes} bytes; the store takes at most ${limit} bytes in one request`);
  }
}

export const isStoreError = (err: unknown, code: StoreErrorCode): err is StoreError =>
  err instanceof StoreError && err.code === code;
