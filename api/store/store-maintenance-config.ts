// gateway.toml [store]: how the embedded store is kept small over months.
//   compaction_interval_seconds = 300   # compact history older than one interval (kube-apiserver: 5 min); 0 = never
//   vacuum_pages_per_step = 256         # free pages returned per step after a compaction (4 KiB each)

import { DEFAULT_COMPACTION_INTERVAL_MS } from "./store-compactor.js";

export interface StoreMaintenanceConfig {
  /** 0 turns scheduled compaction (and the housekeeping after it) off. */
  compactionIntervalMs: number;
  vacuumPagesPerStep: number;
}

export const DEFAULT_STORE_MAINTENANCE: StoreMaintenanceConfig = { compactionIntervalMs: DEFAULT_COMPACTION_INTERVAL_MS, vacuumPagesPerStep: 256 };

/** Reads the maintenance keys of a [store] table; `fail` turns a message into the caller's config error. */
export function parseStoreMaintenance(table: Record<string, unknown>, fail: (message: string) => Error): StoreMaintenanceConfig {
  const integer = (key: string, min: number, max: number, fallback: number): number => {
    const value = table[key] ?? fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw fail(`${key} must be an integer from ${min} to ${max} (default ${fallback})`);
    return value;
  };
  return {
    compactionIntervalMs: integer("compaction_interval_seconds", 0, 86_400, DEFAULT_STORE_MAINTENANCE.compactionIntervalMs / 1000) * 1000,
    vacuumPagesPerStep: integer("vacuum_pages_per_step", 1, 65_536, DEFAULT_STORE_MAINTENANCE.vacuumPagesPerStep),
  };
}
