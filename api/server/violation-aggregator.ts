// Refused requests (401, 403, failed logins) are security events, but recording each one durably lets
// anyone fill the log: 3,000 bad requests would be 3,000 entries. The first refusal from a source in a
// window is recorded at once; the repeats are counted and recorded as one entry with the count when the
// window closes. Memory is bounded: past `maxSources`, repeats are counted under one overflow key.

import type { AuditEvent } from "../client/audit/event.js";
import type { Clock, Timer } from "../machinery/clock.js";

export const VIOLATION_WINDOW_MS = 60_000;
const MAX_SOURCES = 10_000;
const OVERFLOW = "*";

interface Tally {
  event: AuditEvent;
  repeats: number;
  firstAt: number;
  lastAt: number;
}

export class ViolationAggregator {
  private tallies = new Map<string, Tally>();
  private timer: Timer | undefined;

  constructor(private readonly opts: { clock: Clock; record: (event: AuditEvent) => Promise<void>; windowMs?: number; maxSources?: number }) {}

  /** Records the first refusal of `key` in this window now; counts the rest for the window's summary. */
  async refused(key: string, event: AuditEvent): Promise<void> {
    const now = this.opts.clock.now();
    const known = this.tallies.get(key) ?? this.tallies.get(OVERFLOW);
    if (known && (this.tallies.has(key) || this.tallies.size >= (this.opts.maxSources ?? MAX_SOURCES))) {
      known.repeats++;
      known.lastAt = now;
      return;
    }
    const full = this.tallies.size >= (this.opts.maxSources ?? MAX_SOURCES);
    this.tallies.set(full ? OVERFLOW : key, { event: full ? { ...event, actor: "many", details: { ...event.details, aggregated: "overflow" } } : event, repeats: full ? 1 : 0, firstAt: now, lastAt: now });
    this.arm();
    if (!full) await this.opts.record(event);
  }

  /** Records the summaries of the window so far and starts a new one. */
  async flush(): Promise<void> {
    const tallies = this.tallies;
    this.tallies = new Map();
    this.timer?.cancel();
    this.timer = undefined;
    for (const t of tallies.values()) {
      if (t.repeats === 0) continue;
      await this.opts.record({ ...t.event, at: t.lastAt, details: { ...t.event.details, repeated: t.repeats, firstAt: new Date(t.firstAt).toISOString(), lastAt: new Date(t.lastAt).toISOString() } });
    }
  }

  stop(): Promise<void> {
    return this.flush();
  }

  private arm(): void {
    this.timer ??= this.opts.clock.setTimer(this.opts.windowMs ?? VIOLATION_WINDOW_MS, () => {
      this.timer = undefined;
      void this.flush();
    });
  }
}
