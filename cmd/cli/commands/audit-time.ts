// The times `claw audit logs|export` take: a duration back from now (`24h`, `30d`, `1h30m`), an RFC 3339
// time (`2026-02-05T00:00:00Z`), or a UTC date (`2026-02-05`, meaning its midnight).

import { parseDuration } from "../../../api/types/duration.js";
import { UsageError } from "../cli-errors.js";

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i;
const DATE = /^\d{4}-\d\d-\d\d$/;

/** Milliseconds since the epoch for a --since/--until value; UsageError naming the flag otherwise. */
export function parseAuditTime(text: string, flag: string, nowMs: number): number {
  const value = text.trim();
  if (RFC3339.test(value) || DATE.test(value)) {
    const ms = Date.parse(DATE.test(value) ? `${value}T00:00:00Z` : value);
    if (!Number.isNaN(ms)) return ms;
  }
  try {
    return nowMs - parseDuration(value);
  } catch {
    throw new UsageError(`${flag} "${text}": give a duration back from now (24h, 30d, 1h30m), an RFC 3339 time (2026-02-05T00:00:00Z) or a date (2026-02-05)`);
  }
}

/** The RFC 3339 form the server takes. */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString();
