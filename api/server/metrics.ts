// Prometheus metrics of the API server and the store, on a registry of its own (no global state).

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Store } from "../store/store.js";

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "claw_apiserver_requests_total",
    help: "API requests by verb, resource and HTTP code.",
    labelNames: ["verb", "resource", "subresource", "code"] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "claw_apiserver_request_duration_seconds",
    help: "API request latency by verb and resource (watches excluded).",
    labelNames: ["verb", "resource"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly openWatches = new Gauge({
    name: "claw_apiserver_open_watches",
    help: "Watch streams currently open.",
    registers: [this.registry],
  });
  readonly storeLatency = new Histogram({
    name: "claw_store_request_duration_seconds",
    help: "Store operation latency by operation and outcome.",
    labelNames: ["operation", "outcome"] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  /** Wraps a store so every call is timed. */
  instrument(store: Store): Store {
    const timed = <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const end = this.storeLatency.startTimer({ operation });
        try {
          const result = await fn(...args);
          end({ outcome: "ok" });
          return result;
        } catch (err) {
          end({ outcome: (err as { code?: string }).code ?? "error" });
          throw err;
        }
      };
    return {
      get: timed("get", (k: string) => store.get(k)),
      list: timed("list", (p: string, o?: Parameters<Store["list"]>[1]) => store.list(p, o)),
      create: timed("create", (k: string, v: string) => store.create(k, v)),
      update: timed("update", (k: string, v: string, r: number) => store.update(k, v, r)),
      delete: timed("delete", (k: string, r?: number) => store.delete(k, r)),
      txn: timed("txn", (c: Parameters<Store["txn"]>[0], o: Parameters<Store["txn"]>[1]) => store.txn(c, o)),
      watch: (p, o) => store.watch(p, o),
      currentRevision: timed("currentRevision", () => store.currentRevision()),
      compact: timed("compact", (r: number) => store.compact(r)),
      oldestRevision: timed("oldestRevision", () => store.oldestRevision()),
      ping: timed("ping", () => store.ping()),
      close: () => store.close(),
    };
  }
}
