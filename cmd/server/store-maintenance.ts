// The embedded store's scheduled compaction and housekeeping for `claw server` ([store] in gateway.toml).
// etcd is left to its own --auto-compaction (and, with several servers, to whichever one leads): not here.

import type { Logger } from "pino";
import type { Clock } from "../../api/machinery/clock.js";
import { SqliteStore } from "../../api/store/sqlite-store.js";
import { StoreCompactor } from "../../api/store/store-compactor.js";
import { DEFAULT_STORE_MAINTENANCE, type StoreMaintenanceConfig } from "../../api/store/store-maintenance-config.js";
import type { Store } from "../../api/store/store.js";

/** A started compactor for the embedded store, or undefined (etcd, or compaction_interval_seconds = 0). */
export function startStoreMaintenance(opts: { store: Store; config: StoreMaintenanceConfig | undefined; clock: Clock; logger: Logger }): StoreCompactor | undefined {
  const { store, clock, logger } = opts;
  const config = opts.config ?? DEFAULT_STORE_MAINTENANCE;
  if (!(store instanceof SqliteStore) || config.compactionIntervalMs <= 0) return undefined;
  const compactor = new StoreCompactor({
    store,
    clock,
    intervalMs: config.compactionIntervalMs,
    housekeeping: () => store.housekeep({ vacuumPagesPerStep: config.vacuumPagesPerStep }),
    onRun: (run) => logger.debug({ ...run, files: store.fileSizes() }, "compacted the embedded store"),
    onError: (err) => logger.warn({ err: err.message }, "scheduled compaction of the embedded store failed; the next run tries again"),
  });
  compactor.start();
  return compactor;
}
