// hack/bench/guard: the gateway guard's cost, each figure beside a baseline measured in the same run.
//   (a) the per-request decision: TokenBuckets.take(source, clock.now()) as GuardModule's check calls it,
//       beside rate-limiter-flexible's RateLimiterMemory.consume(key) making the same decision (points =
//       burst_size, duration = burst_size / requests_per_second, so both allow a burst and the same rate;
//       note RateLimiterMemory is a fixed-window counter, not a token bucket). consume() returns a promise
//       and refuses by rejecting it: it is measured as it is used, awaited (refusals caught); take() is
//       synchronous and measured as the guard calls it. Beside both, the whole per-request guard stage:
//       GuardModule.guard(ctx) awaited as the pipeline awaits it (source address, allowlist, BlockRules,
//       request bucket, compute cost, bandwidth charge; refusals thrown as 429s, or 403s once a flooding
//       source is auto-blocked), on a GuardModule that assembleServer built and started on a fresh
//       embedded store (not listening), with fake RequestContexts (a socket per source, its byte counters
//       moving as a GET's would). 10,000 sources (one in ten IPv6), the [ddos] defaults of gateway.toml
//       (100 requests/s, burst 200), two mixes: steady (each source asked --asks times, in random order,
//       none over its limit) and flood (a fifth of the requests from 10 sources far over their burst; the
//       stage, ~40x slower, sees its buckets refill more during a round, so it refuses fewer).
//       Fresh limiters each round; rounds interleaved (order alternated), best of --rounds.
//   (b) authenticated GET requests/s against two in-process API servers built as test/envtest.ts builds
//       them (audit, secrets, pki, identity; plain HTTP on 127.0.0.1, each on its own embedded store): one
//       with the guard module (allow = [] so every request from 127.0.0.1 is evaluated, limits high enough
//       that nothing is refused), one without it. --concurrency in flight with undici from a worker thread
//       (so the server's event loop is the one being measured; --inline-client runs it on the server's
//       thread as hack/bench/auth does), --requests per round, rounds alternated, best of --server-rounds
//       (and the median of back-to-back pairs, steadier on a busy machine).
//
//   npm run bench:guard -- [--sources 10000] [--asks 20] [--rounds 5] [--requests 4000] [--server-rounds 6] [--concurrency 64] [--inline-client]

import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { parse as parseToml } from "smol-toml";
import { Pool } from "undici";
import { AuditModule } from "../../api/audit/audit-module.js";
import { defaultAuditConfig } from "../../api/audit/audit-config.js";
import { defaultAuthConfig } from "../../api/auth/auth-config.js";
import { Identity } from "../../api/auth/identity.js";
import { parseGuardConfig } from "../../api/guard/guard-config-parser.js";
import type { GuardConfig } from "../../api/guard/guard-config.js";
import { GuardModule } from "../../api/guard/guard-module.js";
import { TokenBuckets } from "../../api/guard/token-buckets.js";
import { systemClock } from "../../api/machinery/clock.js";
import { isApiError } from "../../api/machinery/errors.js";
import { PkiModule } from "../../api/pki/pki-module.js";
import { loadCrdRegistry } from "../../api/schema/crd-registry.js";
import { Keyring } from "../../api/secrets/keyring.js";
import { SecretsModule } from "../../api/secrets/secrets-module.js";
import type { ModuleFactory } from "../../api/server/module.js";
import type { RequestContext } from "../../api/server/request-context.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";
import { SECURITY_API } from "../../api/types/auth-api.js";
import { assembleServer, type AssembledServer } from "../../cmd/server/assemble-server.js";

const registry = loadCrdRegistry();
const GET_PATH = `${SECURITY_API}/roles/viewer`;

interface Target {
  url: string;
  token: string;
}
interface LoadResult {
  rate: number;
  failures: number;
  statuses: Record<number, number>;
}

/** GETs GET_PATH `count` times with `concurrency` in flight on `pool`; requests per second. */
async function load(pool: Pool, token: string, count: number, concurrency: number): Promise<LoadResult> {
  let next = 0;
  const statuses: Record<number, number> = {};
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const r = await pool.request({ path: GET_PATH, method: "GET", headers: { authorization: `Bearer ${token}` } });
        await r.body.dump();
        statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { rate: count / seconds, failures: count - (statuses[200] ?? 0), statuses };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sources: { type: "string", default: "10000" },
      asks: { type: "string", default: "20" },
      rounds: { type: "string", default: "5" },
      requests: { type: "string", default: "4000" },
      "server-rounds": { type: "string", default: "6" },
      concurrency: { type: "string", default: "64" },
      "inline-client": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log("usage: node dist/hack/bench/guard.js [--sources 10000] [--asks 20] [--rounds 5] [--requests 4000] [--server-rounds 6] [--concurrency 64] [--inline-client]");
    return;
  }
  const began = process.hrtime.bigint();
  const load1 = loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`hack/bench/guard: node ${process.version}, ${availableParallelism()} CPUs, load average ${load1} at start`);
  const took = (since: bigint) => `    (${(Number(process.hrtime.bigint() - since) / 1e9).toFixed(1)} s)`;
  const a = process.hrtime.bigint();
  await decisions({ sources: Number(values.sources), asks: Number(values.asks), rounds: Number(values.rounds) });
  console.log(took(a));
  const b = process.hrtime.bigint();
  await throughput({ requests: Number(values.requests), rounds: Number(values["server-rounds"]), concurrency: Number(values.concurrency), inline: values["inline-client"] });
  console.log(took(b));
  console.log(`total ${(Number(process.hrtime.bigint() - began) / 1e9).toFixed(1)} s, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} at the end`);
}

// ---------------------------------------------------------------------------------------------------------
// (a) the per-request decision

/** mulberry32: the same mixes every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(xs: Int32Array, random: () => number): Int32Array {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
  return xs;
}

interface Mix {
  name: string;
  what: string;
  /** Source indices, in the order they ask. */
  seq: Int32Array;
}

function mixes(sources: number, asks: number, burst: number): Mix[] {
  const random = prng(0x5eed);
  const total = sources * asks;
  const steady = new Int32Array(total);
  for (let i = 0; i < total; i++) steady[i] = i % sources;
  const hot = Math.min(10, Math.floor(sources / 10));
  const hotAsks = Math.floor(total / 5);
  const flood = new Int32Array(total);
  for (let i = 0; i < hotAsks; i++) flood[i] = i % hot;
  for (let i = hotAsks; i < total; i++) flood[i] = hot + ((i - hotAsks) % (sources - hot));
  return [
    { name: "steady", what: `each source asked ${asks} times in random order, none over its burst of ${burst}`, seq: shuffle(steady, random) },
    {
      name: "flood",
      what: `${hot} sources ask ${Math.round(hotAsks / hot)} times each (a fifth of the requests, far over the burst of ${burst}), the other ${sources - hot} about ${Math.round((total - hotAsks) / (sources - hot))} times each`,
      seq: shuffle(flood, random),
    },
  ];
}

function addresses(n: number): string[] {
  // Canonical forms, as peerAddress / sourceAddress hand them to the buckets; one in ten IPv6.
  return Array.from({ length: n }, (_, i) => (i % 10 === 9 ? `2001:db8:${(i >>> 16).toString(16)}::${(i & 0xffff).toString(16)}` : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`));
}

interface Measured {
  ns: number;
  refused: number;
  /** Of those, refused 403 by an auto BlockRule (the whole stage only). */
  blocked?: number;
}

const nsSince = (started: bigint) => Number(process.hrtime.bigint() - started);

/** The guard's request bucket, as GuardModule builds it and its check calls it. */
function guardTakes(config: GuardConfig, seq: Int32Array, sources: string[]): Measured {
  const buckets = new TokenBuckets({ rate: config.rateLimit.requestsPerSecond, burst: config.rateLimit.burstSize });
  const clock = systemClock;
  let refused = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < seq.length; i++) if (!buckets.take(sources[seq[i]!]!, clock.now()).ok) refused++;
  return { ns: nsSince(started) / seq.length, refused };
}

/** rate-limiter-flexible's in-memory limiter making the same decision, awaited as it is used. */
async function flexibleConsumes(config: GuardConfig, seq: Int32Array, sources: string[]): Promise<Measured> {
  const { requestsPerSecond: rate, burstSize: burst } = config.rateLimit;
  const limiter = new RateLimiterMemory({ points: burst, duration: burst / rate });
  let refused = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < seq.length; i++) {
    try {
      await limiter.consume(sources[seq[i]!]!);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      refused++;
    }
  }
  return { ns: nsSince(started) / seq.length, refused };
}

interface FakeSocket {
  remoteAddress: string;
  bytesRead: number;
  bytesWritten: number;
}

/** What the guard reads of a request: its socket (address, byte counters), headers, the route's cost. */
function fakeRequests(sources: string[]): { rc: RequestContext; socket: FakeSocket }[] {
  const route = { cost: "read" };
  const res = { setHeader: () => undefined };
  return sources.map((remoteAddress) => {
    const socket: FakeSocket = { remoteAddress, bytesRead: 0, bytesWritten: 0 };
    const rc = { req: { socket, headers: {} }, res, info: { route, params: {} }, warnings: [] } as unknown as RequestContext;
    return { rc, socket };
  });
}

/**
 * The whole per-request guard stage, awaited as ApiServer's pipeline awaits it. The GuardModule is built and
 * started by assembleServer (not listening) on a fresh embedded store, so its context is a server's and
 * its auto blocks are written and enforced as they would be: a flooding source is refused 429 until it
 * is auto-blocked, then 403 by its BlockRule.
 */
async function guardStage(config: GuardConfig, seq: Int32Array, requests: { rc: RequestContext; socket: FakeSocket }[]): Promise<Measured> {
  const home = mkdtempSync(join(tmpdir(), "claw-bench-guard-stage-"));
  const store = await openSqliteStore({ path: join(home, "store.db") });
  let module: GuardModule | undefined;
  const assembled = assembleServer({ store, registry, clock: systemClock, random: { bytes: (n) => new Uint8Array(randomBytes(n)) }, modules: [(ctx) => (module = new GuardModule(ctx, { config }))] });
  await assembled.startModules();
  const guard = module!.guard;
  let refused = 0;
  let blocked = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < seq.length; i++) {
    const { rc, socket } = requests[seq[i]!]!;
    // A keep-alive GET's bytes since the last request: ~250 in, ~700 out (the bandwidth bucket's charge).
    socket.bytesRead += 250;
    socket.bytesWritten += 700;
    try {
      await guard(rc);
    } catch (err) {
      if (!isApiError(err) || (err.code !== 429 && err.code !== 403)) throw err;
      refused++;
      if (err.code === 403) blocked++;
    }
  }
  const ns = nsSince(started) / seq.length;
  await new Promise((resolve) => setImmediate(resolve)); // the auto blocks still being written
  await assembled.stop();
  await store.close();
  rmSync(home, { recursive: true, force: true });
  return { ns, refused, blocked };
}

async function decisions(opts: { sources: number; asks: number; rounds: number }): Promise<void> {
  // gateway.toml's [ddos] defaults, allow = [] (the default allow is loopback only; these sources are not in it either).
  const config = parseGuardConfig({ allow: [] });
  const sources = addresses(opts.sources);
  const requests = fakeRequests(sources);
  const { requestsPerSecond: rate, burstSize: burst } = config.rateLimit;
  console.log(
    `(a) per-request decision: ${opts.sources} sources, ${opts.sources * opts.asks} decisions a round, best of ${opts.rounds} interleaved rounds (order alternated, fresh limiters each round); [ddos] defaults: ${rate} requests/s, burst ${burst}; rate-limiter-flexible RateLimiterMemory points ${burst}, duration ${burst / rate} s`,
  );
  for (const mix of mixes(opts.sources, opts.asks, burst)) {
    const runs = {
      take: async (seq = mix.seq) => guardTakes(config, seq, sources),
      flexible: (seq = mix.seq) => flexibleConsumes(config, seq, sources),
      stage: (seq = mix.seq) => guardStage(config, seq, requests),
    };
    type Name = keyof typeof runs;
    const names = Object.keys(runs) as Name[];
    const results: Record<Name, Measured[]> = { take: [], flexible: [], stage: [] };
    for (const name of names) await runs[name](mix.seq.subarray(0, mix.seq.length >>> 2)); // warm-up, on a quarter
    for (let r = 0; r < opts.rounds; r++) {
      const order = r % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        results[name].push(await runs[name]());
        // Let the timers of the round (rate-limiter-flexible's per-key expiry) run between measurements.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const best = (name: Name) => Math.min(...results[name].map((m) => m.ns));
    const pct = (n: number) => `${((100 * n) / mix.seq.length).toFixed(1).padStart(4)}%`;
    const refusedPct = (name: Name) => {
      const { refused, blocked } = results[name][0]!;
      return `${pct(refused)}${blocked === undefined ? "" : ` (403 ${pct(blocked).trim()})`}`;
    };
    const rounds = (name: Name) => results[name].map((m) => m.ns.toFixed(0)).join(", ");
    const line = (label: string, name: Name, unit: string) => console.log(`      ${label.padEnd(68)} ${unit}: ${best(name).toFixed(1).padStart(7)}   refused ${refusedPct(name)}   rounds: ${rounds(name)}`);
    console.log(`    ${mix.name}: ${mix.what}`);
    line("guard TokenBuckets.take(source, clock.now()), synchronous", "take", "ns/decision");
    line("rate-limiter-flexible RateLimiterMemory.consume(key), awaited", "flexible", "ns/decision");
    line("whole guard stage: await GuardModule.guard(ctx) (3 buckets, 429/403)", "stage", "ns/request ");
    const paired = results.flexible.map((m, i) => m.ns / results.take[i]!.ns).sort((a, b) => a - b);
    console.log(
      `      ratio rate-limiter-flexible / guard take: ${(best("flexible") / best("take")).toFixed(2)}x of the bests, ${paired[Math.floor(paired.length / 2)]!.toFixed(2)}x median of same-round pairs (target >= 2); whole guard stage / rate-limiter-flexible: ${(best("stage") / best("flexible")).toFixed(2)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// (b) throughput through a real server

const GUARD_TOML = `# hack/bench/guard: the guard on, evaluating every request, refusing none
[ddos]
enabled = true
allow = []

[ddos.connection]
max_per_ip = 10000
max_total = 100000

[ddos.rate_limit]
requests_per_second = 1000000
burst_size = 1000000

[ddos.compute]
max_cost_per_minute = 1000000000

[ddos.bandwidth]
max_bytes_per_second = 1000000000000
`;

interface Served {
  assembled: AssembledServer;
  target: Target;
  guard?: GuardModule;
  store: Store;
  home: string;
}

/** An API server as test/envtest.ts builds it (audit, secrets, pki, identity, and the guard when given). */
async function serve(guardConfig: GuardConfig | undefined): Promise<Served> {
  const home = mkdtempSync(join(tmpdir(), "claw-bench-guard-"));
  const store = await openSqliteStore({ path: join(home, "store.db") });
  let identity: Identity | undefined;
  let guard: GuardModule | undefined;
  const auditConfig = { ...defaultAuditConfig(home), signLogs: false };
  const keyring = new Keyring([new Uint8Array(32).fill(7)]);
  const modules: ModuleFactory[] = [
    (ctx) => new AuditModule(ctx, { config: auditConfig }),
    (ctx) => new SecretsModule(ctx, { keyring, keySource: "the bench's keyring" }),
    (ctx) => new PkiModule(ctx),
    (ctx) => (identity = new Identity(ctx, { config: defaultAuthConfig() })),
  ];
  if (guardConfig) modules.push((ctx) => (guard = new GuardModule(ctx, { config: guardConfig })));
  const assembled = assembleServer({ store, registry, clock: systemClock, random: { bytes: (n) => new Uint8Array(randomBytes(n)) }, modules });
  await assembled.startModules();
  const bootstrap = await identity!.bootstrap();
  if (!bootstrap.created) throw new Error("expected a fresh store");
  const address = await assembled.server.start({ host: "127.0.0.1", port: 0 });
  return { assembled, target: { url: `http://127.0.0.1:${address.port}`, token: bootstrap.secret }, ...(guard ? { guard } : {}), store, home };
}

async function throughput(opts: { requests: number; rounds: number; concurrency: number; inline: boolean }): Promise<void> {
  const guardConfig = parseGuardConfig((parseToml(GUARD_TOML) as { ddos?: unknown }).ddos, { source: "gateway.toml (bench)", text: GUARD_TOML });
  const on = await serve(guardConfig);
  const off = await serve(undefined);
  const targets = [on.target, off.target];
  let run: (target: number, count: number) => Promise<LoadResult>;
  let close: () => Promise<void>;
  if (opts.inline) {
    const pools = targets.map((t) => new Pool(t.url, { connections: opts.concurrency, pipelining: 1 }));
    run = (target, count) => load(pools[target]!, targets[target]!.token, count, opts.concurrency);
    close = async () => void (await Promise.all(pools.map((p) => p.close())));
  } else {
    const worker = new Worker(new URL(import.meta.url), { workerData: { targets, concurrency: opts.concurrency } });
    worker.on("error", (err) => {
      console.error("the load worker failed:", err);
      process.exitCode = 1;
    });
    run = async (target, count) => {
      worker.postMessage({ target, count });
      const [result] = (await once(worker, "message")) as [LoadResult];
      return result;
    };
    close = async () => {
      worker.postMessage({ close: true });
      await once(worker, "message");
      await worker.terminate();
    };
  }
  try {
    console.log(
      `(b) authenticated GET ${GET_PATH}: ${opts.requests} requests a round, ${opts.concurrency} in flight (undici, ${opts.inline ? "on the server's thread" : "from a worker thread"}), best of ${opts.rounds} rounds alternated; in-process servers as test/envtest.ts builds them, plain HTTP on 127.0.0.1, embedded store each`,
    );
    console.log(`    guard on: [ddos] allow = [], ${guardConfig.rateLimit.requestsPerSecond} requests/s, burst ${guardConfig.rateLimit.burstSize}, max_cost_per_minute ${guardConfig.compute.maxCostPerMinute}, max_bytes_per_second ${guardConfig.bandwidth.maxBytesPerSecond}; guard off: no guard module`);
    const check = (name: string, r: LoadResult) => {
      if (r.failures > 0) throw new Error(`guard ${name}: ${r.failures} of the requests were not 200: ${JSON.stringify(r.statuses)}`);
      return r.rate;
    };
    // Warm-up: identity's caches, the JIT, the connections.
    for (let i = 0; i < 2; i++) {
      check("on", await run(0, opts.requests));
      check("off", await run(1, opts.requests));
    }
    const withGuard: number[] = [];
    const without: number[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      if (r % 2 === 0) {
        withGuard.push(check("on", await run(0, opts.requests)));
        without.push(check("off", await run(1, opts.requests)));
      } else {
        without.push(check("off", await run(1, opts.requests)));
        withGuard.push(check("on", await run(0, opts.requests)));
      }
    }
    // The guard did evaluate these requests: 127.0.0.1 has a request bucket (allow = [] took effect).
    const buckets = (on.guard as unknown as { requests: TokenBuckets }).requests.size;
    if (buckets !== 1) throw new Error(`expected the guard to hold one request bucket (127.0.0.1), not ${buckets}`);
    const refusals = (await on.assembled.server.metrics.registry.getSingleMetricAsString("claw_guard_decisions_total")).split("\n").filter((l) => !l.startsWith("#") && l.trim() !== "");
    const [bOn, bOff] = [Math.max(...withGuard), Math.max(...without)];
    const paired = withGuard.map((x, i) => x / without[i]!).sort((a, b) => a - b);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
    console.log(`      guard on  req/s: ${bOn.toFixed(0).padStart(7)}   rounds: ${fmt(withGuard)}   (guard buckets: ${buckets} source, refusals recorded: ${refusals.length === 0 ? "none" : refusals.join("; ")})`);
    console.log(`      guard off req/s: ${bOff.toFixed(0).padStart(7)}   rounds: ${fmt(without)}`);
    console.log(`      ratio on / off: ${(bOn / bOff).toFixed(3)} of the bests, ${paired[Math.floor(paired.length / 2)]!.toFixed(3)} median of back-to-back pairs (target >= 0.9)`);
  } finally {
    await close();
    for (const s of [on, off]) {
      await s.assembled.stop();
      await s.store.close();
      rmSync(s.home, { recursive: true, force: true });
    }
  }
}

// Last, so every declaration above is initialised before main or the worker runs.
if (isMainThread) {
  await main();
} else {
  // The load generator's thread: one pool per server, kept across rounds.
  const { targets, concurrency } = workerData as { targets: Target[]; concurrency: number };
  const pools = targets.map((t) => new Pool(t.url, { connections: concurrency, pipelining: 1 }));
  parentPort!.on("message", async (msg: { target: number; count: number } | { close: true }) => {
    if ("close" in msg) {
      await Promise.all(pools.map((p) => p.close()));
      parentPort!.postMessage("closed");
      return;
    }
    parentPort!.postMessage(await load(pools[msg.target]!, targets[msg.target]!.token, msg.count, concurrency));
  });
}
