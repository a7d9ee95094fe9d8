// What each source has done wrong, as this server saw it: violations counted in a sliding window
// (auto_block_threshold of them within window_secs blocks), and a reputation score that each violation
// lowers by its weight and that recovers by decay_rate a minute toward 0 (at or below threshold blocks).
// Repeat offenders are blocked for longer each time: block_duration_secs doubled per earlier block, up to
// max_block_duration_secs (fail2ban's bantime.increment). Bounded: past maxSources the least recently
// seen source is forgotten.

import type { GuardConfig } from "./guard-config.js";

/** Why a request or connection was refused or counted against its source. */
export type ViolationKind = "rate_limit" | "compute" | "connection_limit" | "slow_loris" | "malformed" | "auth_failure";

/** How much one violation of each kind lowers a source's score (documented in the README). */
export const VIOLATION_WEIGHTS: Readonly<Record<ViolationKind, number>> = {
  rate_limit: 1,
  compute: 1,
  connection_limit: 1,
  slow_loris: 2,
  malformed: 2,
  auth_failure: 3,
};

export interface Offender {
  source: string;
  /** The score at `scoreAt`; read it through scoreOf. */
  score: number;
  scoreAt: number;
  /** Times of the violations still inside the window. */
  recent: number[];
  violations: Partial<Record<ViolationKind, number>>;
  lastViolation: number;
  /** Auto blocks so far (for escalating durations). */
  blocks: number;
  /** Until when this source is already blocked by an auto rule (no second rule meanwhile). */
  blockedUntil: number;
}

export interface BlockDecision {
  durationMs: number;
  reason: string;
}

export class OffenderTracker {
  private readonly offenders = new Map<string, Offender>();

  constructor(private readonly config: Pick<GuardConfig, "blocklist" | "reputation">, private readonly maxSources = 100_000) {}

  /** Counts a violation; says when it makes the source due for an auto block. */
  record(source: string, kind: ViolationKind, now: number): BlockDecision | undefined {
    const o = this.touch(source, now);
    const windowMs = this.config.blocklist.windowSecs * 1000;
    o.score = this.scoreOf(o, now) - VIOLATION_WEIGHTS[kind];
    o.scoreAt = now;
    o.violations[kind] = (o.violations[kind] ?? 0) + 1;
    o.lastViolation = now;
    // Already blocked: no window to keep, so a source whose block is not yet enforced costs O(1) a violation.
    if (o.blockedUntil > now) return undefined;
    while (o.recent.length > 0 && o.recent[0]! <= now - windowMs) o.recent.shift();
    o.recent.push(now);
    const { blocklist, reputation } = this.config;
    const byCount = blocklist.enabled && o.recent.length >= blocklist.autoBlockThreshold;
    const byScore = reputation.enabled && o.score <= reputation.threshold;
    if (!byCount && !byScore) return undefined;
    const durationMs = Math.min(blocklist.blockDurationSecs * 1000 * 2 ** o.blocks, blocklist.maxBlockDurationSecs * 1000);
    o.blocks++;
    o.blockedUntil = now + durationMs;
    o.recent = [];
    const why = byCount ? `${blocklist.autoBlockThreshold} violations within ${blocklist.windowSecs}s` : `reputation ${o.score.toFixed(1)} at or below ${reputation.threshold}`;
    const repeat = o.blocks > 1 ? ` (block ${o.blocks}, duration doubled for a repeat offender)` : "";
    return { durationMs, reason: `auto-blocked: ${why}, the last a ${kind.replace("_", " ")} violation${repeat}` };
  }

  /** The score now, recovered toward 0 by decay_rate per minute since it last changed. */
  scoreOf(o: Offender, now: number): number {
    const recovered = ((now - o.scoreAt) / 60_000) * this.config.reputation.decayRate;
    return Math.min(0, o.score + recovered);
  }

  /** The lowest scores, worst first. */
  lowest(now: number, limit: number): { offender: Offender; score: number }[] {
    return [...this.offenders.values()]
      .map((offender) => ({ offender, score: this.scoreOf(offender, now) }))
      .sort((a, b) => a.score - b.score || b.offender.lastViolation - a.offender.lastViolation)
      .slice(0, limit);
  }

  get size(): number {
    return this.offenders.size;
  }

  private touch(source: string, now: number): Offender {
    let o = this.offenders.get(source);
    if (o) this.offenders.delete(source);
    else {
      o = { source, score: 0, scoreAt: now, recent: [], violations: {}, lastViolation: now, blocks: 0, blockedUntil: 0 };
      if (this.offenders.size >= this.maxSources) this.offenders.delete(this.offenders.keys().next().value as string);
    }
    this.offenders.set(source, o);
    return o;
  }
}
