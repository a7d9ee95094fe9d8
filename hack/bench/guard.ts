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
import { PkiModule } from "../../api/pki/pki-module.js";
import { loadCrdRegistry } from "../../api/schema/crd-registry.js";
import { Keyring } from "../../api/secrets/keyring.js";
import { SecretsModule } from "../../api/secrets/secrets-module.js";
import type { ModuleFactory } from "../../api/server/module.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";
import { SECURITY_API } from "../../api/types/auth-api.js";
import { assembleServer, type AssembledServer } from "../../cmd/server/assemble-server.js";

import { decisions } from "./guard-decisions.js";

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
