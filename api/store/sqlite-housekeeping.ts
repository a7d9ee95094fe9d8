// Keeps the embedded store's files from only growing (what kine users on k3s meet after months): after a
// compaction, free pages go back to the file system in small incremental_vacuum steps, and a TRUNCATE
// checkpoint copies the WAL into the database and cuts the WAL back to zero bytes. Every step is
// synchronous (better-sqlite3) and short; writes run between steps.

import { statSync } from "node:fs";
import type { Db } from "./sqlite-schema.js";

export interface HousekeepingOptions {
  /** Pages freed per incremental_vacuum step (4 KiB each); default 256 (1 MiB). */
  vacuumPagesPerStep?: number;
  /** Steps at most in one run, so one run's work is bounded; what is left waits for the next. Default 256. */
  maxVacuumSteps?: number;
  /** Lets writes in between steps; the store passes a turn of the event loop. */
  yieldBetweenSteps: () => Promise<void>;
}

export interface HousekeepingReport {
  /** Pages given back to the file system. */
  pagesFreed: number;
  /** Free pages left in the file (auto_vacuum off on an old file, or the step budget ran out). */
  freePagesLeft: number;
  /** WAL frames copied into the database by the checkpoint. */
  checkpointedFrames: number;
  /** False when the checkpoint could not finish (a reader held the WAL); the next run tries again. */
  walTruncated: boolean;
  /** The longest single step: the longest a write waited on this run. */
  longestStepMs: number;
}

export interface StoreFileSizes {
  dbBytes: number;
  walBytes: number;
  pageSize: number;
  freePages: number;
  /** "incremental" on files created by this version; "none" on older files, whose free pages are reused but not returned. */
  autoVacuum: "none" | "full" | "incremental";
}

const AUTO_VACUUM = ["none", "full", "incremental"] as const;

export async function housekeep(db: Db, options: HousekeepingOptions): Promise<HousekeepingReport> {
  const pages = Math.max(1, Math.floor(options.vacuumPagesPerStep ?? 256));
  const maxSteps = Math.max(0, Math.floor(options.maxVacuumSteps ?? 256));
  let longestStepMs = 0;
  const timed = <T>(step: () => T): T => {
    const started = performance.now();
    try {
      return step();
    } finally {
      longestStepMs = Math.max(longestStepMs, performance.now() - started);
    }
  };
  const freePages = () => Number(db.pragma("freelist_count", { simple: true }));
  let pagesFreed = 0;
  if (Number(db.pragma("auto_vacuum", { simple: true })) === 2) {
    for (let step = 0; step < maxSteps; step++) {
      const before = freePages();
      if (before === 0) break;
      timed(() => db.pragma(`incremental_vacuum(${pages})`));
      pagesFreed += before - freePages();
      await options.yieldBetweenSteps();
    }
  }
  const [result] = timed(() => db.pragma("wal_checkpoint(TRUNCATE)")) as { busy: number; log: number; checkpointed: number }[];
  return { pagesFreed, freePagesLeft: freePages(), checkpointedFrames: result?.checkpointed ?? 0, walTruncated: result?.busy === 0, longestStepMs };
}

export function fileSizes(db: Db, path: string): StoreFileSizes {
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return {
    dbBytes: path === ":memory:" ? 0 : size(path),
    walBytes: path === ":memory:" ? 0 : size(`${path}-wal`),
    pageSize: Number(db.pragma("page_size", { simple: true })),
    freePages: Number(db.pragma("freelist_count", { simple: true })),
    autoVacuum: AUTO_VACUUM[Number(db.pragma("auto_vacuum", { simple: true }))] ?? "none",
  };
}
