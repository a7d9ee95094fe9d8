// hack/bench/guard, part (a): the guard's per-request decision beside rate-limiter-flexible's, and the whole
// guard stage, as the header of hack/bench/guard.ts describes.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { parseGuardConfig } from "../../api/guard/guard-config-parser.js";
import type { GuardConfig } from "../../api/guard/guard-config.js";
import { GuardModule } from "../../api/guard/guard-module.js";
import { TokenBuckets } from "../../api/guard/token-buckets.js";
import { systemClock } from "../../api/machinery/clock.js";
import { isApiError } from "../../api/machinery/errors.js";
import { loadCrdRegistry } from "../../api/schema/crd-registry.js";
import type { RequestContext } from "../../api/server/request-context.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import { assembleServer } from "../../cmd/server/assemble-server.js";

const registry = loadCrdRegistry();


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

export async function decisions(opts: { sources: number; asks: number; rounds: number }): Promise<void> {
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
