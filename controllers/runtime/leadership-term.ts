// Everything one stretch of leadership runs: the informers its controllers share, then the controllers,
// started once every informer has listed. A term is used once; a new leadership builds a new one.

import type { Logger } from "pino";
import type { RestClient } from "../../api/client/rest-client.js";
import type { Clock } from "../../api/machinery/clock.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import type { BackoffPolicy } from "./backoff.js";
import type { Controller } from "./controller.js";
import { Informer } from "./informer.js";
import { restListWatcher } from "./list-watcher.js";
import type { ControllerMetrics } from "./metrics.js";

/** What a controller factory is given to build its controller. */
export interface ManagerContext {
  client: RestClient;
  clock: Clock;
  logger: Logger;
  metrics: ControllerMetrics;
  /** Reconciles each controller runs at once unless it fixes its own (`[controllers] workers`); undefined: the controller's default. */
  workers?: number;
  /** The informer of a plural of security.clawbernetes.com/v1, one per plural, shared by the term's controllers. */
  informer<T extends KubeObject>(plural: string): Informer<T>;
}

/** Builds one controller; cmd/ lists the factories explicitly and nothing registers itself. */
export type ControllerFactory = (ctx: ManagerContext) => Controller;

export interface LeadershipTermOptions {
  client: RestClient;
  clock: Clock;
  logger: Logger;
  metrics: ControllerMetrics;
  factories: readonly ControllerFactory[];
  informerBackoff?: BackoffPolicy;
  workers?: number;
}

export class LeadershipTerm {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private controllers: Controller[] = [];
  private stopped = false;
  private running = false;
  private starting: Promise<void> | undefined;

  constructor(private readonly opts: LeadershipTermOptions) {}

  isRunning(): boolean {
    return this.running;
  }

  controller(name: string): Controller | undefined {
    return this.controllers.find((c) => c.name === name);
  }

  informer<T extends KubeObject>(plural: string): Informer<T> | undefined {
    return this.informers.get(plural) as Informer<T> | undefined;
  }

  start(): Promise<void> {
    this.starting ??= this.run();
    return this.starting;
  }

  /** Stops the controllers (letting running reconciles end), then the informers. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.running = false;
    await Promise.all(this.controllers.map((c) => c.stop()));
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await this.starting?.catch(() => undefined);
  }

  /** Resolves when no controller has a key queued or running. */
  async idle(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await Promise.all(this.controllers.map((c) => c.queue.idle()));
  }

  private async run(): Promise<void> {
    const { client, clock, logger, metrics, workers } = this.opts;
    const context: ManagerContext = { client, clock, logger, metrics, ...(workers !== undefined ? { workers } : {}), informer: (plural) => this.sharedInformer(plural) };
    this.controllers = this.opts.factories.map((factory) => factory(context));
    for (const informer of this.informers.values()) informer.start();
    try {
      await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
    } catch (err) {
      if (this.stopped) return;
      throw err;
    }
    if (this.stopped) return;
    for (const controller of this.controllers) controller.start();
    this.running = true;
    logger.info({ controllers: this.controllers.map((c) => c.name), informers: [...this.informers.keys()] }, "caches synced; controllers running");
  }

  private sharedInformer<T extends KubeObject>(plural: string): Informer<T> {
    const existing = this.informers.get(plural);
    if (existing) return existing as unknown as Informer<T>;
    const informer = new Informer<T>({
      source: restListWatcher<T>(this.opts.client, plural),
      clock: this.opts.clock,
      logger: this.opts.logger.child({ informer: plural }),
      ...(this.opts.informerBackoff ? { backoff: this.opts.informerBackoff } : {}),
    });
    this.informers.set(plural, informer as unknown as Informer<KubeObject>);
    return informer;
  }
}
