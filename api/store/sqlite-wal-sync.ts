// Makes the embedded store's commits durable off the event loop. SQLite runs with synchronous=NORMAL, so a
// commit writes its WAL frames without waiting for the disk; this then fdatasyncs the WAL on libuv's thread
// pool, and the group commit acknowledges a batch, shows it to reads and sends its watch events only once the
// sync that followed it has finished. What a client is told is exactly what synchronous=FULL would give (the
// WAL on disk before the acknowledgement), while the event loop keeps serving requests during the fsync.
//
// Syncs coalesce: one runs at a time, and every commit made while it runs is covered by the single next one.
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

export class WalSync implements DurableWrites {
  private fd: number | undefined;
  /** The sync running now; commits made while it runs wait for `next`. */
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(
    private readonly walPath: string,
    private readonly fdatasyncFn: (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => void = fdatasync,
  ) {}

  sync(): Promise<void> {
    if (!this.running) {
      const run = this.start();
      this.running = run;
      void run.then(
        () => this.settled(run),
        () => this.settled(run),
      );
      return run;
    }
    // The running sync may have started before this commit: the next one covers it.
    this.next ??= this.running.then(
      () => this.nextSync(),
      () => this.nextSync(),
    );
    return this.next;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.next]);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private nextSync(): Promise<void> {
    this.next = undefined;
    return this.sync();
  }

  private settled(run: Promise<void>): void {
    if (this.running === run) this.running = undefined;
  }

  private start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
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
  }
}
