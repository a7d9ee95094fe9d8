// The controller manager: under leader election (or alone), it starts the informers, waits for their
// first list, runs the controllers, and stops them cleanly when it stops or loses the lease.

import type { Logger } from "pino";
import { Registry } from "prom-client";
import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import type { BackoffPolicy } from "./backoff.js";
import type { Controller } from "./controller.js";
import { errorText } from "./error-text.js";
import type { Informer } from "./informer.js";
import { LeaderElector, type LeaderElectionTiming } from "./leader-election.js";
import { restLeaseClient, type LeaseClient } from "./lease-client.js";
import { LeadershipTerm, type ControllerFactory } from "./leadership-term.js";
import { ControllerMetrics } from "./metrics.js";

export type { ControllerFactory, ManagerContext } from "./leadership-term.js";

export const DEFAULT_LEASE_NAME = "claw-controller-manager";

export interface LeaderElectionOptions {
  /** Unique among the managers, such as `host-1_x7Kp2Q`. */
  identity: string;
  /** Default `claw-controller-manager`. */
  leaseName?: string;
  timing?: Partial<LeaderElectionTiming>;
  /** Default: the Lease API through the manager's client. */
  leases?: LeaseClient;
}

export interface ManagerOptions {
  client: RestClient;
  clock: Clock;
  logger: Logger;
  /** The registry the runtime's metrics go on (the API server's, to share /metrics). Default: its own. */
  registry?: Registry;
  /** The controllers, listed explicitly; each factory runs whenever this manager starts leading. */
  controllers: readonly ControllerFactory[];
  /** Omit to run without leader election (the only manager, as in tests). */
  leaderElection?: LeaderElectionOptions;
  informerBackoff?: BackoffPolicy;
  /** Reconciles each controller runs at once, unless it fixes its own; default each controller's (2). */
  workers?: number;
}

export class Manager {
  readonly metrics: ControllerMetrics;
  private readonly elector: LeaderElector | undefined;
  private term: LeadershipTerm | undefined;
  private ending: Promise<void>[] = [];
  private started = false;
  private stopping = false;

  constructor(private readonly opts: ManagerOptions) {
    this.metrics = new ControllerMetrics(opts.registry ?? new Registry());
    const election = opts.leaderElection;
    this.elector = election
      ? new LeaderElector({
          leases: election.leases ?? restLeaseClient(opts.client),
          leaseName: election.leaseName ?? DEFAULT_LEASE_NAME,
          identity: election.identity,
          clock: opts.clock,
          logger: opts.logger.child({ component: "leader-election" }),
          metrics: this.metrics,
          ...(election.timing ? { timing: election.timing } : {}),
          onStartedLeading: () => this.beginTerm(),
          onStoppedLeading: () => this.endTerm(),
        })
      : undefined;
  }

  /** Starts competing for the lease (or, without leader election, runs the controllers at once). */
  start(): void {
    if (this.started) return;
    this.started = true;
    if (this.elector) this.elector.start();
    else this.beginTerm();
  }

  /** Stops the controllers and informers; a leader releases its lease unless `releaseLease` is false. */
  async stop(opts: { releaseLease?: boolean } = {}): Promise<void> {
    this.stopping = true;
    // Controllers first, while the lease is still ours, so no successor overlaps with them.
    this.endTerm();
    await Promise.all(this.ending);
    if (this.elector) await this.elector.stop({ release: opts.releaseLease ?? true });
    this.started = false;
    this.stopping = false;
  }

  /** True while this manager holds the lease (always, without leader election, once started). */
  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.term !== undefined;
  }

  /** True once the caches have synced and the controllers run. */
  isRunning(): boolean {
    return this.term?.isRunning() ?? false;
  }

  /** A controller of the current term, by name. */
  controller(name: string): Controller | undefined {
    return this.term?.controller(name);
  }

  /** An informer of the current term, by plural (undefined when not leading or no controller reads it). */
  informer<T extends KubeObject>(plural: string): Informer<T> | undefined {
    return this.term?.informer<T>(plural);
  }

  /** Resolves when no lease request, term start or stop, or reconcile is in flight (for tests on a fake clock). */
  async idle(): Promise<void> {
    await this.elector?.idle();
    await Promise.all(this.ending);
    await this.term?.idle();
  }

  private beginTerm(): void {
    if (this.term || this.stopping) return;
    const term = new LeadershipTerm({
      client: this.opts.client,
      clock: this.opts.clock,
      logger: this.opts.logger,
      metrics: this.metrics,
      factories: this.opts.controllers,
      ...(this.opts.informerBackoff ? { informerBackoff: this.opts.informerBackoff } : {}),
      ...(this.opts.workers !== undefined ? { workers: this.opts.workers } : {}),
    });
    this.term = term;
    term.start().catch((err: unknown) => this.opts.logger.error({ err: errorText(err) }, "the controllers could not start"));
  }

  private endTerm(): void {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    const ending = term.stop().finally(() => {
      this.ending = this.ending.filter((p) => p !== ending);
    });
    this.ending.push(ending);
  }
}
