// Makes the embedded store's commits durable off the event loop. SQLite runs with synchronous=NORMAL, so a
// commit writes its WAL frames without waiting for the disk; this then fdatasyncs the WAL on libuv's thread
// pool, and the group commit acknowledges a batch, shows it to reads and sends its watch events only once the
// sync that followed it has finished. What a client is told is exactly what synchronous=FULL would give (the
// WAL on disk before the acknowledgement), while the event loop keeps serving requests during the fsync.
//
// Syncs overlap and coalesce: a commit starts its own fdatasync while fewer than two run; commits made while two
// run share the one that starts when either ends.
// fsync works on the file, not the descriptor, so a descriptor of our own (read-only, never locked: SQLite
// locks the database file, not its WAL) flushes what SQLite wrote through its own.

import { closeSync, fdatasync, openSync } from "node:fs";

export interface DurableWrites {
  /** Resolves once everything committed before this call is on disk. */
  sync(): Promise<void>;
  /** Waits for the sync in flight, then releases the descriptor. */
  close(): Promise<void>;
}

/** For a store with no file (":memory:"): nothing to sync. */
export const inMemoryWrites: DurableWrites = { sync: () => Promise.resolve(), close: () => Promise.resolve() };

/** fdatasyncs running at once: a commit made while one runs starts its own instead of waiting a whole sync for it. */
const MAX_SYNCS_IN_FLIGHT = 2;

interface Waiting {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WalSync implements DurableWrites {
  private fd: number | undefined;
  private readonly running = new Set<Promise<void>>();
  /** Commits made while MAX_SYNCS_IN_FLIGHT syncs ran: one sync covers them all when a running one ends. */
  private waiting: Waiting | undefined;

  constructor(
    private readonly walPath: string,
    private readonly fdatasyncFn: (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => void = fdatasync,
  ) {}

  sync(): Promise<void> {
    if (this.running.size < MAX_SYNCS_IN_FLIGHT) return this.start();
    if (!this.waiting) {
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.waiting = { promise, resolve, reject };
    }
    return this.waiting.promise;
  }

  async close(): Promise<void> {
    while (this.running.size > 0 || this.waiting) await Promise.allSettled([...this.running, this.waiting?.promise]);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** An fdatasync that begins now, so it covers every commit made before this call. */
  private start(): Promise<void> {
    const run = new Promise<void>((resolve, reject) => {
      let fd: number;
      try {
        // Opened at the first sync: SQLite creates the WAL with the first write.
        fd = this.fd ??= openSync(this.walPath, "r");
      } catch (err) {
        reject(err as Error);
        return;
      }
      this.fdatasyncFn(fd, (err) => (err ? reject(err) : resolve()));
    });
    this.running.add(run);
    const ended = () => {
      this.running.delete(run);
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) this.start().then(waiting.resolve, waiting.reject);
    };
    run.then(ended, ended);
    return run;
  }
}
