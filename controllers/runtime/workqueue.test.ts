import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../api/machinery/clock.js";
import { ControllerMetrics } from "./metrics.js";
import { TerminalError, type ReconcileResult } from "./reconciler.js";
import { deferred, flush, type Deferred } from "./testing/deferred.js";
import { silentLogger } from "./testing/silent-logger.js";
import { WorkQueue } from "./workqueue.js";

interface Call {
  key: string;
  at: number;
  done: Deferred<ReconcileResult>;
}

function harness(opts: { concurrency?: number; start?: boolean } = {}) {
  const clock = new FakeClock();
  const registry = new Registry();
  const metrics = new ControllerMetrics(registry);
  const calls: Call[] = [];
  let running = 0;
  let maxRunning = 0;
  const queue = new WorkQueue({
    name: "test",
    clock,
    logger: silentLogger(),
    metrics,
    backoff: { baseMs: 5, maxMs: 40 },
    concurrency: opts.concurrency ?? 1,
    process: async (key) => {
      const done = deferred<ReconcileResult>();
      calls.push({ key, at: clock.now(), done });
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        return await done.promise;
      } finally {
        running--;
      }
    },
  });
  if (opts.start !== false) queue.start();
  const t0 = clock.now();
  return {
    clock,
    queue,
    calls,
    registry,
    keys: () => calls.map((c) => c.key),
    maxRunning: () => maxRunning,
    elapsed: (call: Call | undefined) => (call ? call.at - t0 : -1),
    /** Settles the latest call of a key and lets the queue react. */
    async finish(key: string, outcome: ReconcileResult | Error = {}) {
      const call = calls.filter((c) => c.key === key).at(-1) ?? expect.fail(`no call of ${key}`);
      if (outcome instanceof Error) call.done.reject(outcome);
      else call.done.resolve(outcome);
      await flush();
    },
    metric: async (name: string, labels: Record<string, string> = {}) => {
      // A histogram's _count and _sum are values of the histogram, told apart by metricName.
      const values = (await registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? m.name })));
      return values.find((v) => v.name === name && Object.entries(labels).every(([k, want]) => v.labels[k] === want))?.value;
    },
  };
}

describe("WorkQueue", () => {
  it("merges a key added several times before it runs into one reconcile", async () => {
    const h = harness({ start: false });
    for (const key of ["a", "a", "b", "a"]) h.queue.add(key);
    expect(h.queue.length).toBe(2);
    h.queue.start();
    await flush();
    await h.finish("a");
    await h.finish("b");
    expect(h.keys()).toEqual(["a", "b"]);
  });

  it("runs a key in one reconcile at a time, and once more afterwards when it was added meanwhile", async () => {
    const h = harness({ concurrency: 4 });
    h.queue.add("a");
    await flush();
    h.queue.add("a");
    h.queue.add("a");
    await flush();
    expect(h.keys()).toEqual(["a"]);
    await h.finish("a");
    expect(h.keys()).toEqual(["a", "a"]);
    await h.finish("a");
    expect(h.keys()).toEqual(["a", "a"]);
    expect(h.maxRunning()).toBe(1);
  });

  it("runs different keys side by side, never more than the concurrency", async () => {
    const h = harness({ concurrency: 2 });
    for (const key of ["a", "b", "c", "d"]) h.queue.add(key);
    await flush();
    expect(h.keys()).toEqual(["a", "b"]);
    await h.finish("a");
    expect(h.keys()).toEqual(["a", "b", "c"]);
    await h.finish("b");
    await h.finish("c");
    await h.finish("d");
    expect(h.maxRunning()).toBe(2);
  });

  it("backs off per key on consecutive errors, doubling up to the cap", async () => {
    const h = harness();
    h.queue.add("a");
    await flush();
    const delays: number[] = [];
    for (let failure = 1; failure <= 5; failure++) {
      await h.finish("a", new Error("the store is unavailable"));
      const before = h.calls.length;
      let waited = 0;
      while (h.calls.length === before) {
        h.clock.step(1);
        waited++;
        await flush();
      }
      delays.push(waited);
    }
    expect(delays).toEqual([5, 10, 20, 40, 40]);
    expect(h.queue.failuresOf("a")).toBe(5);
  });

  it("backs off each key on its own", async () => {
    const h = harness({ concurrency: 2 });
    h.queue.add("a");
    h.queue.add("b");
    await flush();
    await h.finish("a", new Error("boom"));
    await h.finish("b");
    expect(h.queue.failuresOf("a")).toBe(1);
    expect(h.queue.failuresOf("b")).toBe(0);
  });

  it("resets a key's backoff after a success", async () => {
    const h = harness();
    h.queue.add("a");
    await flush();
    await h.finish("a", new Error("boom"));
    h.clock.step(5);
    await flush();
    await h.finish("a", new Error("boom"));
    expect(h.queue.failuresOf("a")).toBe(2);
    h.clock.step(10);
    await flush();
    await h.finish("a");
    expect(h.queue.failuresOf("a")).toBe(0);
    expect(h.queue.waiting).toBe(0);
  });

  it("runs a key added by an event at once, even while it waits out a backoff", async () => {
    const h = harness();
    h.queue.add("a");
    await flush();
    await h.finish("a", new Error("boom"));
    h.queue.add("a");
    await flush();
    expect(h.calls).toHaveLength(2);
    expect(h.elapsed(h.calls[1])).toBe(0);
  });

  it("does not retry a TerminalError, and counts it", async () => {
    const h = harness();
    h.queue.add("a");
    await flush();
    await h.finish("a", new TerminalError("spec.owner names no user"));
    h.clock.step(60_000);
    await flush();
    expect(h.keys()).toEqual(["a"]);
    expect(h.queue.waiting).toBe(0);
    expect(await h.metric("claw_controller_reconcile_errors_total", { controller: "test", kind: "terminal" })).toBe(1);
  });

  it("honours requeueAfterMs, counted from the start of the reconcile", async () => {
    const h = harness();
    h.queue.add("a");
    await flush();
    h.clock.step(300);
    await h.finish("a", { requeueAfterMs: 1000 });
    h.clock.step(699);
    await flush();
    expect(h.calls).toHaveLength(1);
    h.clock.step(1);
    await flush();
    expect(h.calls).toHaveLength(2);
    expect(h.elapsed(h.calls[1])).toBe(1000);
  });

  it("keeps the earliest of several wake-ups of a key", async () => {
    const h = harness();
    h.queue.add("a");
    await flush();
    await h.finish("a", { requeueAfterMs: 5000 });
    h.queue.add("a");
    await flush();
    await h.finish("a", { requeueAfterMs: 1000 });
    h.clock.step(1000);
    await flush();
    expect(h.calls.map((c) => h.elapsed(c))).toEqual([0, 0, 1000]);
  });

  it("reports depth, adds, retries, errors and latency on the registry it is given", async () => {
    const h = harness({ start: false });
    h.queue.add("a");
    h.queue.add("b");
    expect(await h.metric("claw_workqueue_depth", { name: "test" })).toBe(2);
    h.queue.start();
    await flush();
    h.clock.step(20);
    await h.finish("a", new Error("boom"));
    await h.finish("b");
    expect(await h.metric("claw_workqueue_adds_total", { name: "test" })).toBe(2);
    expect(await h.metric("claw_workqueue_retries_total", { name: "test" })).toBe(1);
    expect(await h.metric("claw_controller_reconcile_errors_total", { controller: "test", kind: "retried" })).toBe(1);
    expect(await h.metric("claw_controller_reconcile_total", { controller: "test", result: "success" })).toBe(1);
    expect(await h.metric("claw_controller_reconcile_time_seconds_count", { controller: "test" })).toBe(2);
    expect(await h.metric("claw_workqueue_queue_duration_seconds_sum", { name: "test" })).toBeCloseTo(0.02);
  });

  it("stops: drops queued keys and timers, and waits for the reconciles running", async () => {
    const h = harness();
    h.queue.add("a");
    h.queue.add("b");
    await flush();
    h.queue.addAfter("c", 1000);
    let stopped = false;
    const stopping = h.queue.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false);
    await h.finish("a");
    await stopping;
    h.clock.step(5000);
    h.queue.add("d");
    await flush();
    expect(h.keys()).toEqual(["a"]);
  });
});
