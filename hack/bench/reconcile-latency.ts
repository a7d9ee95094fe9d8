// Benchmark: watch-event-to-reconcile-start latency of the controller runtime at a steady rate of changes.
//   npm run build && node dist/hack/bench/reconcile-latency.js [--rate 1000] [--seconds 10] [--objects 200]
//     [--concurrency 2] [--reconciler noop|roles] [--load worker|inline] [--manager inline|worker] [--warm-connections 0]
// Starts a real `claw server` in-process (embedded SQLite store, authentication and RBAC on, plain HTTP on
// 127.0.0.1, no in-process controllers), then a controller manager whose one controller watches Roles and
// records, at each reconcile's start, how long ago the watch event that queued it arrived (and how long ago
// the write that caused it was sent). A load loop patches Roles at --rate changes per second: by default in a
// worker thread with its own connections, as the clients of a real server are other processes (`--load
// inline` runs it on the server's event loop, as this bench first did). The manager shares the server's thread,
// as `claw server`'s in-process manager does; `--manager worker` gives it a thread of its own, as `claw
// controller-manager` in a process of its own would have. `--warm-connections N` opens N connections for the
// load before it starts, as a long-running client's pool would hold; without them the load opens connections as
// its requests pile up, and the bench prints how long the server took to accept each (libuv accepts one
// connection per event-loop turn). Target: p99 ≤ 50 ms.

import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import diagnostics from "node:diagnostics_channel";
import type { Socket } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import pino from "pino";
import { systemClock } from "../../api/machinery/clock.js";
import type { RestClient } from "../../api/client/rest-client.js";
import type { Role } from "../../api/types/role.js";
import { runServer } from "../../cmd/server/run-server.js";
import { adminClient } from "../testing/admin-client.js";
import { now, startBenchManager, startBenchManagerInWorker, type ManagerInput } from "./reconcile-manager.js";

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
  /** Where the controller manager runs: on the server's thread (default, as `claw server` runs it) or a worker thread of its own. */
  manager: "inline" | "worker";
  rate: number;
  seconds: number;
  objects: number;
  concurrency: number;
  /** Where the load loop runs: a worker thread (default) or the server's own event loop. */
  load: "worker" | "inline";
  /** Connections the load opens before it starts measuring. */
  warmConnections: number;
}

/**
 * CPU seconds the main thread (the server, its watch fan-out and the controller manager) has used, from
 * /proc (Linux): the load's worker thread has its own. Event-loop utilisation would overstate it, since a
 * loop with setImmediate work pending never idles in poll even while it waits for nothing.
 */
function mainThreadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return undefined;
  }
}
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

  const manager = opts.manager === "worker" ? await startBenchManagerInWorker(managerInput(opts, server.adminConfigPath)) : await startBenchManager(managerInput(opts, server.adminConfigPath));

  console.log(`sending ${opts.rate} changes/s for ${opts.seconds} s over ${names.length} roles (${opts.reconciler} reconciler, concurrency ${opts.concurrency}, load ${opts.load}, manager ${opts.manager})…`);
  // When the server accepted each connection, by the client's port: with the load's connect times, how long a new connection waited.
  const acceptedAt = new Map<number, number>();
  server.server.listener?.on("connection", (socket: Socket) => void (socket.remotePort !== undefined && acceptedAt.set(socket.remotePort, now())));
  await manager.measure();
  const cpuBefore = mainThreadCpuSeconds();
  const processCpuBefore = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const startedAt = now();
  const loadInput: LoadInput = { adminConfigPath: server.adminConfigPath, names, rate: opts.rate, seconds: opts.seconds, warmConnections: opts.warmConnections };
  const load = opts.load === "worker" ? await loadInWorker(loadInput) : await runLoad(loadInput, client);
  const { sentAt, ackAt, failed, sent, sendSeconds, ackSeconds, connects } = load;
  // How busy the thread the server, its watch fan-out and the controller manager share was while the load ran.
  const cpuAfter = mainThreadCpuSeconds();
  const wallSeconds = (now() - startedAt) / 1000;
  const busy = cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / wallSeconds : undefined;
  // Every thread of the process: the server's, the load's worker, the GC's helpers and libuv's pool (fsync).
  const processCpu = process.cpuUsage(processCpuBefore);
  const processCores = (processCpu.user + processCpu.system) / 1e6 / wallSeconds;
  // Let the last events arrive and be reconciled.
  const { eventToStart, startsOfSeq, durations, reconcileFailures, events, reconciles, connects: managerConnects } = await manager.finish();
  const writeToStart = startsOfSeq.flatMap(([seq, started]) => (sentAt[seq] !== undefined ? [started - sentAt[seq]] : []));

  const e = summarize(eventToStart);
  const w = summarize(writeToStart);
  console.log("");
  const acks = summarize(ackAt.flatMap((at, seq) => (at !== null && sentAt[seq] !== undefined ? [at - sentAt[seq]] : [])));
  const acked = ackAt.filter((at) => at !== null).length;
  console.log(`changes sent        ${sent} in ${sendSeconds.toFixed(2)} s (${(sent / sendSeconds).toFixed(0)}/s), ${failed} failed`);
  console.log(`changes acknowledged by ${ackSeconds.toFixed(2)} s (${(acked / ackSeconds).toFixed(0)}/s); write latency p50 ${fmt(acks.p50)} p99 ${fmt(acks.p99)}`);
  const sharing = opts.manager === "inline" ? "the API server, its watches and the controller manager share one thread" : "the API server and its watches; the manager has its own thread";
  if (busy !== undefined) console.log(`server thread CPU   ${(busy * 100).toFixed(0)}% of one core while the load ran (${sharing})`);
  loopDelay.disable();
  console.log(`server loop delay   p50 ${fmt(loopDelay.percentile(50) / 1e6)}   p99 ${fmt(loopDelay.percentile(99) / 1e6)}   max ${fmt(loopDelay.max / 1e6)} (how long a ready callback waited on the server's thread)`);
  console.log(`process CPU         ${processCores.toFixed(2)} of the machine's ${availableParallelism()} cores (every thread: server, load generator, GC helpers, libuv pool)`);
  const acceptWaits = (opened: [number, number][]) => summarize(opened.flatMap(([port, at]) => (acceptedAt.has(port) ? [acceptedAt.get(port)! - at] : [])));
  const waits = (s: LatencySummary) => (s.count > 0 ? `; each waited for the server to accept it p50 ${fmt(s.p50)} p99 ${fmt(s.p99)} max ${fmt(s.max)}` : "");
  console.log(`new connections     the load opened ${connects.length} while it ran (${opts.warmConnections} before)${waits(acceptWaits(connects))}`);
  console.log(`                    the manager opened ${managerConnects.length}${waits(acceptWaits(managerConnects))} (libuv accepts one connection per event-loop turn)`);
  console.log(`watch events        ${events}; reconciles ${reconciles} (${events - reconciles} events merged into a pending reconcile of the same key)`);
  console.log(`event → reconcile start   p50 ${fmt(e.p50)}   p90 ${fmt(e.p90)}   p99 ${fmt(e.p99)}   max ${fmt(e.max)}   (n=${e.count})`);
  console.log(`write → reconcile start   p50 ${fmt(w.p50)}   p90 ${fmt(w.p90)}   p99 ${fmt(w.p99)}   max ${fmt(w.max)}   (n=${w.count}; includes the API write and the watch fan-out)`);
  const d = summarize(durations);
  console.log(`reconcile duration        p50 ${fmt(d.p50)}   p90 ${fmt(d.p90)}   p99 ${fmt(d.p99)}   max ${fmt(d.max)}   (n=${d.count}; ${reconcileFailures} failed and retried)`);
  console.log(`target: event → reconcile start p99 ≤ 50 ms: ${e.p99 <= 50 ? "met" : "NOT met"}`);

  // Where a write's time goes: the server's own handling (from its request event to its answer, including
  // waits for its turn on the key, the audit chain and the commit's fsync), beside the client's round trip.
  const histogram = await server.server.metrics.latency.get();
  for (const [verb, what] of [["patch", "the load's patches"], ["update", "the status writes"]] as const) {
    const buckets = histogram.values.filter((v) => v.metricName?.endsWith("_bucket") && v.labels.verb === verb && v.labels.resource === "roles");
    const line = serverLatencyLine(buckets.map((b) => ({ le: Number((b.labels as Record<string, unknown>).le), count: b.value })));
    if (line) console.log(`server-side ${verb.padEnd(6)}     ${line}   (${what}, from the server's histogram)`);
  }
  await manager.stop();
  await client.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/** "n=…, p50 ≤ x ms, p99 ≤ y ms" from a Prometheus histogram's cumulative buckets (upper bounds, so ≤). */
export function serverLatencyLine(buckets: readonly { le: number; count: number }[]): string | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  const bound = (q: number) => {
    const le = sorted.find((b) => b.count >= q * total)?.le ?? Infinity;
    return Number.isFinite(le) ? `≤ ${le * 1000} ms` : "> the largest bucket";
  };
  return `n=${total}   p50 ${bound(0.5)}   p99 ${bound(0.99)}`;
}

const managerInput = (opts: Options, adminConfigPath: string): ManagerInput => ({ adminConfigPath, reconciler: opts.reconciler, concurrency: opts.concurrency });

interface LoadInput {
  adminConfigPath: string;
  names: string[];
  rate: number;
  seconds: number;
  warmConnections: number;
}

interface LoadResult {
  /** By seq: when the change was sent, and when it was acknowledged (null if it failed), on the shared clock. */
  sentAt: number[];
  ackAt: (number | null)[];
  sent: number;
  failed: number;
  sendSeconds: number;
  ackSeconds: number;
  /** Connections the load opened while it ran: the client's local port, and when it connected (shared clock). */
  connects: [port: number, at: number][];
}

/** Patches the roles round-robin at `rate` changes per second, in ticks of 10 ms; resolves when every patch is answered. */
async function runLoad(input: LoadInput, client: RestClient): Promise<LoadResult> {
  const { names, rate, seconds } = input;
  // A pool as a long-running client holds it: N requests at once open N connections.
  await Promise.all(Array.from({ length: input.warmConnections }, (_, i) => client.get("roles", names[i % names.length]!)));
  const connects: [port: number, at: number][] = [];
  const onConnected = (message: unknown) => {
    const port = (message as { socket?: Socket }).socket?.localPort;
    if (port !== undefined) connects.push([port, now()]);
  };
  diagnostics.subscribe("undici:client:connected", onConnected);
  const tickMs = 10;
  const perTick = rate / (1000 / tickMs);
  const total = Math.round(rate * seconds);
  const sentAt: number[] = [];
  const ackAt: (number | null)[] = [];
  const started = now();
  const inflight = new Set<Promise<unknown>>();
  let sent = 0;
  let failed = 0;
  for (let tick = 0; sent < total; tick++) {
    const due = Math.min(total, Math.round((tick + 1) * perTick));
    while (sent < due) {
      const seq = sent++;
      const name = names[seq % names.length]!;
      sentAt[seq] = now();
      ackAt[seq] = null;
      const p = client.patch("roles", name, { spec: { description: `seq:${seq}` } }, { type: "merge" }).then(
        () => void (ackAt[seq] = now()),
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
  diagnostics.unsubscribe("undici:client:connected", onConnected);
  return { sentAt, ackAt, sent, failed, sendSeconds, ackSeconds: (now() - started) / 1000, connects };
}

function loadInWorker(input: LoadInput): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { load: input } });
    worker.once("message", (result: LoadResult) => resolve(result));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the load worker exited (${code}) without a result`)));
  });
}

async function loadWorkerMain(input: LoadInput): Promise<void> {
  const client = await adminClient(input.adminConfigPath, { maxConnections: 256 });
  try {
    parentPort!.postMessage(await runLoad(input, client));
  } finally {
    await client.close();
  }
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: { reconciler: { type: "string", default: "noop" }, rate: { type: "string", default: "1000" }, seconds: { type: "string", default: "10" }, objects: { type: "string", default: "200" }, concurrency: { type: "string", default: "2" }, load: { type: "string", default: "worker" }, manager: { type: "string", default: "inline" }, "warm-connections": { type: "string", default: "0" } },
  });
  const positive = (name: string, text: string | undefined) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${JSON.stringify(text)}`);
    return n;
  };
  if (values.reconciler !== "noop" && values.reconciler !== "roles") throw new Error(`--reconciler must be noop or roles, not ${JSON.stringify(values.reconciler)}`);
  if (values.load !== "worker" && values.load !== "inline") throw new Error(`--load must be worker or inline, not ${JSON.stringify(values.load)}`);
  if (values.manager !== "worker" && values.manager !== "inline") throw new Error(`--manager must be inline or worker, not ${JSON.stringify(values.manager)}`);
  const warm = Number(values["warm-connections"]);
  if (!Number.isInteger(warm) || warm < 0 || warm > 256) throw new Error(`--warm-connections must be a whole number from 0 to 256 (the load's pool), not ${JSON.stringify(values["warm-connections"])}`);
  return { warmConnections: warm, manager: values.manager, load: values.load, reconciler: values.reconciler, rate: positive("rate", values.rate), seconds: positive("seconds", values.seconds), objects: Math.floor(positive("objects", values.objects)), concurrency: Math.floor(positive("concurrency", values.concurrency)) };
}

const loadJob = (workerData as { load?: LoadInput } | null)?.load;
if (!isMainThread && loadJob) {
  void loadWorkerMain(loadJob);
} else if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(options(process.argv.slice(2))).catch((err: unknown) => {
    console.error(`reconcile-latency: ${(err as Error).message}`);
    process.exitCode = 1;
  });
}
