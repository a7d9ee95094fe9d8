// Benchmark: watch-event-to-reconcile-start latency of the controller runtime at a steady rate of changes.
//   npm run build && node dist/hack/bench/reconcile-latency.js [--rate 1000] [--seconds 10] [--objects 200]
//     [--concurrency 2] [--reconciler noop|roles]
// Starts a real `claw server` in-process (embedded SQLite store, authentication and RBAC on, plain HTTP on
// 127.0.0.1, no in-process controllers), then a controller manager whose one controller watches Roles and
// records, at each reconcile's start, how long ago the watch event that queued it arrived (and how long ago
// the write that caused it was sent). A load loop patches Roles at --rate changes per second. Target: p99 ≤ 50 ms.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pino from "pino";
import { systemClock } from "../../api/machinery/clock.js";
import type { Role } from "../../api/types/role.js";
import { runServer } from "../../cmd/server/run-server.js";
import { Controller } from "../../controllers/runtime/controller.js";
import { Manager, type ControllerFactory } from "../../controllers/runtime/manager.js";
import { RolesReconciler } from "../../controllers/roles/roles-controller.js";
import { adminClient } from "../testing/admin-client.js";

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

interface Options {
  /** `noop` measures the runtime alone; `roles` runs the real roles reconciler (a status write per change). */
  reconciler: "noop" | "roles";
  rate: number;
  seconds: number;
  objects: number;
  concurrency: number;
}

const now = () => performance.now();
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function main(opts: Options): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "claw-bench-reconcile-"));
  const logger = pino({ level: "warn" });
  const server = await runServer({
    config: { listen: { host: "127.0.0.1", port: 0 }, dataDir, etcdEndpoints: [], maxRequestBytes: 3 * 1024 * 1024, sections: { tls: { enabled: false } } },
    logger,
    announce: () => {},
    controllers: false,
  });
  const client = await adminClient(server.adminConfigPath, { maxConnections: 256 });
  const names = Array.from({ length: opts.objects }, (_, i) => `bench-${String(i).padStart(5, "0")}`);
  console.log(`claw server on ${server.url} (embedded store, auth and RBAC on); creating ${names.length} roles…`);
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(names.slice(i, i + 50).map((name) => client.create<Role>("roles", { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { description: "seq:-1", permissions: ["nodes:read"] } })));
  }

  const sentAt = new Map<number, number>();
  const ackAt = new Map<number, number>();
  /** Per key: when the first watch event not yet picked up by a reconcile arrived. */
  const pendingSince = new Map<string, number>();
  const eventToStart: number[] = [];
  const writeToStart: number[] = [];
  let measuring = false;
  let events = 0;
  let reconciles = 0;

  const bench: ControllerFactory = (ctx) => {
    const roles = ctx.informer<Role>("roles");
    roles.addHandler({
      onUpdate: (_old, obj) => {
        if (!measuring) return;
        events++;
        if (!pendingSince.has(obj.metadata.name)) pendingSince.set(obj.metadata.name, now());
      },
    });
    const work = opts.reconciler === "roles" ? new RolesReconciler({ roles, client: ctx.client, clock: ctx.clock }) : undefined;
    const reconciler = {
      async reconcile({ name }: { name: string }) {
        const started = now();
        const since = pendingSince.get(name);
        pendingSince.delete(name);
        const result = work ? work.reconcile({ name }) : Promise.resolve({});
        if (!measuring || since === undefined) return result;
        reconciles++;
        eventToStart.push(started - since);
        const seq = Number(/^seq:(\d+)$/.exec(roles.get(name)?.spec?.description ?? "")?.[1] ?? NaN);
        const sent = sentAt.get(seq);
        if (sent !== undefined) writeToStart.push(started - sent);
        return result;
      },
    };
    return new Controller({ name: "bench", reconciler, clock: ctx.clock, logger: ctx.logger, metrics: ctx.metrics, concurrency: opts.concurrency }).watch(roles);
  };
  const manager = new Manager({ client, clock: systemClock, logger, controllers: [bench], leaderElection: { identity: "bench" } });
  manager.start();
  while (!manager.isRunning()) await systemClock.sleep(10);
  await manager.idle();

  console.log(`sending ${opts.rate} changes/s for ${opts.seconds} s over ${names.length} roles (${opts.reconciler} reconciler, concurrency ${opts.concurrency})…`);
  measuring = true;
  const tickMs = 10;
  const perTick = opts.rate / (1000 / tickMs);
  const total = Math.round(opts.rate * opts.seconds);
  const started = now();
  const inflight = new Set<Promise<unknown>>();
  let sent = 0;
  let failed = 0;
  for (let tick = 0; sent < total; tick++) {
    const due = Math.min(total, Math.round((tick + 1) * perTick));
    while (sent < due) {
      const seq = sent++;
      const name = names[seq % names.length]!;
      sentAt.set(seq, now());
      const p = client.patch("roles", name, { spec: { description: `seq:${seq}` } }, { type: "merge" }).then(
        () => void ackAt.set(seq, now()),
        () => void failed++,
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    const wait = started + (tick + 1) * tickMs - now();
    if (wait > 0) await systemClock.sleep(wait);
  }
  const sendSeconds = (now() - started) / 1000;
  await Promise.all(inflight);
  const ackSeconds = (now() - started) / 1000;
  // Let the last events arrive and be reconciled.
  const drainUntil = now() + 2000;
  while ((pendingSince.size > 0 || events === 0) && now() < drainUntil) await systemClock.sleep(20);
  await manager.idle();
  measuring = false;

  const e = summarize(eventToStart);
  const w = summarize(writeToStart);
  console.log("");
  const acks = summarize([...ackAt].map(([seq, at]) => at - (sentAt.get(seq) ?? at)));
  console.log(`changes sent        ${sent} in ${sendSeconds.toFixed(2)} s (${(sent / sendSeconds).toFixed(0)}/s), ${failed} failed`);
  console.log(`changes acknowledged by ${ackSeconds.toFixed(2)} s (${(ackAt.size / ackSeconds).toFixed(0)}/s); write latency p50 ${fmt(acks.p50)} p99 ${fmt(acks.p99)}`);
  console.log(`watch events        ${events}; reconciles ${reconciles} (${events - reconciles} events merged into a pending reconcile of the same key)`);
  console.log(`event → reconcile start   p50 ${fmt(e.p50)}   p90 ${fmt(e.p90)}   p99 ${fmt(e.p99)}   max ${fmt(e.max)}   (n=${e.count})`);
  console.log(`write → reconcile start   p50 ${fmt(w.p50)}   p90 ${fmt(w.p90)}   p99 ${fmt(w.p99)}   max ${fmt(w.max)}   (n=${w.count}; includes the API write and the watch fan-out)`);
  console.log(`target: event → reconcile start p99 ≤ 50 ms: ${e.p99 <= 50 ? "met" : "NOT met"}`);

  await manager.stop();
  await client.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: { reconciler: { type: "string", default: "noop" }, rate: { type: "string", default: "1000" }, seconds: { type: "string", default: "10" }, objects: { type: "string", default: "200" }, concurrency: { type: "string", default: "2" } },
  });
  const positive = (name: string, text: string | undefined) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${JSON.stringify(text)}`);
    return n;
  };
  if (values.reconciler !== "noop" && values.reconciler !== "roles") throw new Error(`--reconciler must be noop or roles, not ${JSON.stringify(values.reconciler)}`);
  return { reconciler: values.reconciler, rate: positive("rate", values.rate), seconds: positive("seconds", values.seconds), objects: Math.floor(positive("objects", values.objects)), concurrency: Math.floor(positive("concurrency", values.concurrency)) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(options(process.argv.slice(2))).catch((err: unknown) => {
    console.error(`reconcile-latency: ${(err as Error).message}`);
    process.exitCode = 1;
  });
}
