// Leader election through a Lease object: with several managers against one store, exactly one holds the
// lease and runs the controllers. The leader renews every renewPeriod and steps down if it cannot renew
// within renewDeadline; the others poll every retryPeriod and take over the moment the lease expires.

import type { Logger } from "pino";
import type { Clock, Timer } from "../../api/machinery/clock.js";
import { isAlreadyExists, isConflict } from "../../api/machinery/errors.js";
import type { Lease } from "../../api/types/lease.js";
import { errorText } from "./error-text.js";
import { newLease, type LeaseClient } from "./lease-client.js";
import { decideLease } from "./lease-decision.js";
import type { ControllerMetrics } from "./metrics.js";

export interface LeaderElectionTiming {
  /** How long a lease lasts after its last renewal. Default 10 s. */
  leaseDurationMs: number;
  /** The leader steps down when it has not renewed for this long. Default 7 s (less than the lease). */
  renewDeadlineMs: number;
  /** How often the leader renews. Default 3 s. */
  renewPeriodMs: number;
  /** How often a candidate looks at the lease, and the leader retries a failed renewal. Default 2 s. */
  retryPeriodMs: number;
}

/**
 * A successor leads at most a lease (10 s) after the leader dies, which leaves the controllers' start (informer
 * lists) inside the 15 s the design promises for them to act again (the 15 s lease it had gave 14-18 s).
 */
export const DEFAULT_LEADER_ELECTION_TIMING: LeaderElectionTiming = { leaseDurationMs: 10_000, renewDeadlineMs: 7_000, renewPeriodMs: 3_000, retryPeriodMs: 2_000 };

export interface LeaderElectorOptions {
  leases: LeaseClient;
  leaseName: string;
  /** Unique among the candidates, such as `host-1_x7Kp2Q`. */
  identity: string;
  clock: Clock;
  logger: Logger;
  timing?: Partial<LeaderElectionTiming>;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  metrics?: ControllerMetrics;
}

export class LeaderElector {
  private readonly timing: LeaderElectionTiming;
  private leading = false;
  private lastRenewAt = 0;
  private observed: Lease | undefined;
  private timer: Timer | undefined;
  private inflight: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly opts: LeaderElectorOptions) {
    this.timing = { ...DEFAULT_LEADER_ELECTION_TIMING, ...opts.timing };
    if (this.timing.renewDeadlineMs >= this.timing.leaseDurationMs) throw new Error("renewDeadlineMs must be shorter than leaseDurationMs");
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder the last read of the lease named (ourselves when leading). */
  observedHolder(): string | undefined {
    return this.observed?.spec?.holderIdentity || undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt();
  }

  /** Stops competing; a leader releases the lease (unless told not to) so a successor need not wait for it to expire. */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.inflight;
    if (this.leading && opts.release !== false) await this.release();
    this.setLeading(false);
  }

  /** Resolves when no read or write of the lease is in flight (for tests that step a fake clock). */
  async idle(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

  private attempt(): void {
    if (this.stopped) return;
    const run = this.tryAcquireOrRenew().finally(() => {
      if (this.inflight === run) this.inflight = undefined;
    });
    this.inflight = run;
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { clock, identity, leases, leaseName, logger } = this.opts;
    const now = clock.now();
    let nextInMs = this.timing.retryPeriodMs;
    try {
      const current = await leases.get(leaseName);
      this.observed = current;
      const decision = decideLease(current?.spec, { identity, now, leaseDurationMs: this.timing.leaseDurationMs });
      if (decision.action === "wait") {
        if (this.leading) logger.warn({ lease: leaseName, holder: decision.holder }, "another manager holds the lease; stepping down");
        this.setLeading(false);
        // Wake exactly at expiry when that comes before the next poll.
        nextInMs = Math.max(0, Math.min(this.timing.retryPeriodMs, decision.expiresAt - clock.now()));
      } else {
        const lease = current ? { ...current, spec: decision.spec } : newLease(leaseName, decision.spec);
        this.observed = decision.action === "create" ? await leases.create(lease) : await leases.update(lease);
        this.lastRenewAt = now;
        if (!this.leading) logger.info({ lease: leaseName, identity, ...(decision.action === "take" && decision.from ? { from: decision.from } : {}) }, "acquired the lease; leading");
        this.setLeading(true);
        nextInMs = this.timing.renewPeriodMs;
      }
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) {
        // Another candidate wrote the lease between our read and our write: it won this round.
        if (this.leading) logger.warn({ lease: leaseName }, "lost the lease to another manager; stepping down");
        this.setLeading(false);
      } else if (this.leading && clock.now() - this.lastRenewAt < this.timing.renewDeadlineMs) {
        logger.warn({ lease: leaseName, err: errorText(err) }, "could not renew the lease; retrying");
      } else {
        if (this.leading) logger.error({ lease: leaseName, err: errorText(err) }, "could not renew the lease before the renew deadline; stepping down");
        else logger.warn({ lease: leaseName, err: errorText(err) }, "could not read or acquire the lease; retrying");
        this.setLeading(false);
      }
    }
    if (!this.stopped) this.timer = clock.setTimer(nextInMs, () => this.attempt());
  }

  private async release(): Promise<void> {
    const { leases, leaseName, clock, logger } = this.opts;
    const current = this.observed;
    if (!current?.spec || current.spec.holderIdentity !== this.opts.identity) return;
    const { holderIdentity: _holder, ...rest } = current.spec;
    try {
      await leases.update({ ...current, spec: { ...rest, renewTime: new Date(clock.now()).toISOString() } });
      logger.info({ lease: leaseName }, "released the lease");
    } catch (err) {
      logger.warn({ lease: leaseName, err: errorText(err) }, "could not release the lease; another manager takes over once it expires");
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.opts.metrics?.leader.set({ lease: this.opts.leaseName }, leading ? 1 : 0);
    if (leading) this.opts.onStartedLeading();
    else this.opts.onStoppedLeading();
  }
}

