// A controller: a reconciler behind a workqueue, fed keys by the informers it watches.

import type { Logger } from "pino";
import type { Clock } from "../../api/machinery/clock.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import type { BackoffPolicy } from "./backoff.js";
import type { Informer } from "./informer.js";
import type { ControllerMetrics } from "./metrics.js";
import type { Reconciler } from "./reconciler.js";
import { WorkQueue } from "./workqueue.js";

export { TerminalError, isTerminalError, type ReconcileRequest, type ReconcileResult, type Reconciler } from "./reconciler.js";

export interface ControllerOptions {
  /** Names the controller in logs and metrics, such as `apikeys`. */
  name: string;
  reconciler: Reconciler;
  clock: Clock;
  logger: Logger;
  /** Reconciles running at once. Default 2. */
  concurrency?: number;
  backoff?: BackoffPolicy;
  metrics?: ControllerMetrics;
}

/** `{ concurrency }` from the first of the candidates given (a factory's option, then the manager's workers), or nothing: the default. */
export const workersOption = (...candidates: (number | undefined)[]): { concurrency?: number } => {
  const n = candidates.find((c) => c !== undefined);
  return n === undefined ? {} : { concurrency: n };
};

/** What the manager needs of a watched informer. */
export interface WatchedSource {
  readonly resource: string;
  start(): void;
  hasSynced(): boolean;
  waitForSync(): Promise<void>;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly sources = new Set<WatchedSource>();
  private readonly unwatch: (() => void)[] = [];

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    const logger = opts.logger.child({ controller: opts.name });
    this.queue = new WorkQueue({
      name: opts.name,
      clock: opts.clock,
      logger,
      process: (name) => opts.reconciler.reconcile({ name }),
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
    });
  }

  /**
   * Reconciles the keys an informer's objects map to whenever one is added, changed or deleted: by
   * default the object's own name; for a related kind, the names of the objects that depend on it.
   */
  watch<T extends KubeObject>(informer: Informer<T>, keysOf: (obj: T) => readonly string[] = (obj) => [obj.metadata.name]): this {
    const enqueue = (obj: T) => {
      for (const key of keysOf(obj)) this.queue.add(key);
    };
    this.sources.add(informer);
    this.unwatch.push(
      informer.addHandler({
        onAdd: enqueue,
        onUpdate: (old, obj) => {
          enqueue(old);
          enqueue(obj);
        },
        onDelete: enqueue,
      }),
    );
    return this;
  }

  /** The informers this controller reads; the manager starts them and waits for their first list. */
  get watched(): readonly WatchedSource[] {
    return [...this.sources];
  }

  start(): void {
    this.queue.start();
  }

  async stop(): Promise<void> {
    for (const remove of this.unwatch.splice(0)) remove();
    await this.queue.stop();
  }
}
