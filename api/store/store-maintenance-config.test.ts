import { describe, expect, it } from "vitest";
import { DEFAULT_STORE_MAINTENANCE, parseStoreMaintenance } from "./store-maintenance-config.js";

const fail = (message: string) => new Error(message);

describe("[store] maintenance keys", () => {
  const accepted: { name: string; table: Record<string, unknown>; expected: typeof DEFAULT_STORE_MAINTENANCE }[] = [
    { name: "compacts every 5 minutes and vacuums 256 pages a step by default", table: {}, expected: { compactionIntervalMs: 300_000, vacuumPagesPerStep: 256 } },
    { name: "takes its own interval and step", table: { compaction_interval_seconds: 60, vacuum_pages_per_step: 64 }, expected: { compactionIntervalMs: 60_000, vacuumPagesPerStep: 64 } },
    { name: "turns compaction off with an interval of 0", table: { compaction_interval_seconds: 0 }, expected: { compactionIntervalMs: 0, vacuumPagesPerStep: 256 } },
    { name: "leaves etcd_endpoints to the server config", table: { etcd_endpoints: ["http://127.0.0.1:2379"] }, expected: DEFAULT_STORE_MAINTENANCE },
  ];
  for (const c of accepted) it(c.name, () => expect(parseStoreMaintenance(c.table, fail)).toEqual(c.expected));

  const refused: { name: string; table: Record<string, unknown>; message: RegExp }[] = [
    { name: "refuses a negative interval", table: { compaction_interval_seconds: -1 }, message: /compaction_interval_seconds must be an integer from 0 to 86400/ },
    { name: "refuses an interval written as a string", table: { compaction_interval_seconds: "5m" }, message: /compaction_interval_seconds/ },
    { name: "refuses a vacuum step of 0 pages", table: { vacuum_pages_per_step: 0 }, message: /vacuum_pages_per_step must be an integer from 1/ },
  ];
  for (const c of refused) it(c.name, () => expect(() => parseStoreMaintenance(c.table, fail)).toThrow(c.message));
});
