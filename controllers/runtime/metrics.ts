// Prometheus metrics of the controller runtime, registered on the registry the caller passes in
// (the API server's, so they are served on the same /metrics). Create one per registry.

import { Counter, Gauge, Histogram, type Registry } from "prom-client";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type ReconcileOutcome = "success" | "requeue_after" | "error" | "terminal_error";

export class ControllerMetrics {
  readonly depth: Gauge<"name">;
  readonly adds: Counter<"name">;
  readonly retries: Counter<"name">;
  readonly queueDuration: Histogram<"name">;
  readonly reconcileDuration: Histogram<"controller">;
  readonly reconciles: Counter<"controller" | "result">;
  readonly errors: Counter<"controller" | "kind">;
  readonly activeWorkers: Gauge<"controller">;
  readonly maxWorkers: Gauge<"controller">;
  readonly leader: Gauge<"lease">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.depth = new Gauge({ name: "claw_workqueue_depth", help: "Keys waiting in a controller's workqueue.", labelNames: ["name"], registers });
    this.adds = new Counter({ name: "claw_workqueue_adds_total", help: "Keys added to a controller's workqueue.", labelNames: ["name"], registers });
    this.retries = new Counter({ name: "claw_workqueue_retries_total", help: "Keys put back after a failed reconcile, to run again after their backoff.", labelNames: ["name"], registers });
    this.queueDuration = new Histogram({
      name: "claw_workqueue_queue_duration_seconds",
      help: "How long a key waited in the workqueue before its reconcile started.",
      labelNames: ["name"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: "claw_controller_reconcile_time_seconds",
      help: "How long reconciles took.",
      labelNames: ["controller"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.reconciles = new Counter({ name: "claw_controller_reconcile_total", help: "Reconciles by result.", labelNames: ["controller", "result"], registers });
    this.errors = new Counter({
      name: "claw_controller_reconcile_errors_total",
      help: "Reconciles that failed, by kind: retried (with backoff) or terminal (not retried).",
      labelNames: ["controller", "kind"],
      registers,
    });
    this.activeWorkers = new Gauge({ name: "claw_controller_active_workers", help: "Reconciles running now.", labelNames: ["controller"], registers });
    this.maxWorkers = new Gauge({ name: "claw_controller_max_concurrent_reconciles", help: "Reconciles a controller may run at once ([controllers] workers).", labelNames: ["controller"], registers });
    this.leader = new Gauge({ name: "claw_leader_election_master_status", help: "1 while this manager holds the lease, else 0.", labelNames: ["lease"], registers });
  }

  recordOutcome(controller: string, result: ReconcileOutcome, seconds: number): void {
    this.reconciles.inc({ controller, result });
    this.reconcileDuration.observe({ controller }, seconds);
    if (result === "error") this.errors.inc({ controller, kind: "retried" });
    if (result === "terminal_error") this.errors.inc({ controller, kind: "terminal" });
  }
}
