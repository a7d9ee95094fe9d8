// hack/bench/scale: one `claw server` (a child process: embedded SQLite store, TLS, auth, RBAC, audit on,
// controllers off) holding --objects (100,000) objects across six kinds. Seeding: the Secrets (5 %) and one object
// of every other kind through the API (HTTPS, authenticated, validated, audited); the rest written straight into
// the stopped server's store as copies of that object (the API path is too slow to seed 100,000 on a shared
// 2-core machine). Then the server is restarted on that data and, each figure beside its target:
//   list      paged LIST of every object (limit 500 + continue, as informers and kubectl page): ms per 10,000
//   watch     a watch from a recent resourceVersion (1,000 changes ago) gets exactly those 1,000 changes, no relist
//   rss       the server's RSS (and peak) after seeding and after the list
//   cold      a restart on that data: spawn → listening, and → the first LIST answered
//   informer  six informers (one per kind) from start to synced
//   fan-out   --watchers (1,000) watches of Roles, changed --rate times a second for --seconds: write sent → each
//             watcher has the event, p50/p99, beside the same with one watcher (the baseline, same run) and the
//             writes' own ack latency; then again while one watcher that never reads is flooded with another kind's
//             events (it must be cut, the ten reading ones get everything). The clients run in this process,
//             on the same cores as the server: their parsing is part of every figure.
//
//   npm run bench:scale -- [--objects 100000] [--watchers 1000] [--rate 20] [--seconds 10]

import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { parse as parseYaml } from "yaml";
import type { RestClient } from "../../api/client/rest-client.js";
import { systemClock } from "../../api/machinery/clock.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { Informer } from "../../controllers/runtime/informer.js";
import { restListWatcher } from "../../controllers/runtime/list-watcher.js";
import { resourceKey } from "../../api/store/keys.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { TxnOp } from "../../api/store/store.js";
import { adminClient } from "../testing/admin-client.js";
import { startClawServer, type ClawServerProcess } from "../testing/claw-process.js";
import { adminConfOf } from "../testing/https-call.js";
import { measureFanout } from "./scale-watchers.js";

const { values } = parseArgs({
  options: {
    objects: { type: "string", default: "100000" },
    watchers: { type: "string", default: "1000" },
    rate: { type: "string", default: "20" },
    seconds: { type: "string", default: "10" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: node dist/hack/bench/scale.js [--objects 100000] [--watchers 1000] [--rate 20] [--seconds 10]");
  process.exit(0);
}
const OBJECTS = Number(values.objects);
const WATCHERS = Number(values.watchers);
const GROUP = "security.clawbernetes.com";
const API = `${GROUP}/v1`;
const now = () => performance.now();
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;
const verdict = (ok: boolean) => (ok ? "met" : "NOT met");

/**
 * Each kind's share of the objects and how one of them looks. `api`: every object goes through the API (Secrets:
 * their sealing binds each value to its object, so copies would not open); the others are seeded as copies of one
 * object the API created, written straight into the store (see seed()).
 */
const KINDS: { plural: string; kind: string; share: number; api?: true; make: (i: number) => Record<string, unknown> }[] = [
  { plural: "roles", kind: "Role", share: 0.25, make: (i) => ({ description: `scale role ${i}`, permissions: ["nodes:read", "workloads:*"] }) },
  { plural: "users", kind: "User", share: 0.2, make: (i) => ({ email: `user${i}@example.com`, roles: ["viewer"] }) },
  { plural: "blockrules", kind: "BlockRule", share: 0.2, make: (i) => ({ cidr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, reason: "scale bench", duration: "24h", source: "manual" }) },
  { plural: "secrets", kind: "Secret", share: 0.05, api: true, make: () => ({ valueFrom: { generate: { length: 32, charset: "alphanumeric" } }, allowedWorkloads: ["api-server"] }) },
  { plural: "secretpolicies", kind: "SecretPolicy", share: 0.2, make: (i) => ({ secret: `secret-${i}`, allowWorkloads: ["api-server"] }) },
  { plural: "apikeys", kind: "ApiKey", share: 0.1, make: (i) => ({ displayName: `key ${i}`, owner: "admin", scopes: ["nodes:read"], duration: "90d" }) },
];
const countOf = (share: number) => Math.round(OBJECTS * share);
const nameOf = (plural: string, i: number) => `${plural.slice(0, -1)}-${String(i).padStart(6, "0")}`;

async function inParallel(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await op(next++);
  }));
}

function rss(pid: number | undefined): { rssKb: number; peakKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  return { rssKb: field("VmRSS"), peakKb: field("VmHWM") };
}

const objectOf = (k: (typeof KINDS)[number], i: number): KubeObject => ({ apiVersion: API, kind: k.kind, metadata: { name: nameOf(k.plural, i) }, spec: k.make(i) });

/** Through the API: each kind's object 0 (and every Secret), 64 in flight. */
async function seedThroughApi(client: RestClient): Promise<void> {
  for (const k of KINDS) {
    const count = k.api ? countOf(k.share) : 1;
    const started = now();
    await inParallel(count, 64, (i) => client.create(k.plural, objectOf(k, i)));
    const ms = now() - started;
    if (k.api) console.log(`  ${String(count).padStart(6)} ${k.plural.padEnd(15)} through the API in ${s(ms)} (${(count / (ms / 1000)).toFixed(0)}/s)`);
  }
}

/**
 * Straight into the store of the stopped server: copies of each kind's object 0 as the server stored it (uid,
 * creationTimestamp, managedFields), each with its own name, uid and spec; 128 puts per transaction.
 */
async function seedIntoStore(dataDir: string): Promise<void> {
  const store = openSqliteStore({ path: join(dataDir, "store.db") });
  try {
    for (const k of KINDS) {
      if (k.api) continue;
      const sample = await store.get(resourceKey(GROUP, k.plural, nameOf(k.plural, 0)));
      if (!sample) throw new Error(`the API did not store ${k.plural}/${nameOf(k.plural, 0)}`);
      const template = JSON.parse(sample.value) as KubeObject;
      const count = countOf(k.share);
      const started = now();
      for (let i = 1; i < count; i += 128) {
        const ops = Array.from({ length: Math.min(128, count - i) }, (_, j): TxnOp => {
          const obj = objectOf(k, i + j);
          const value = { ...template, metadata: { ...template.metadata, name: obj.metadata.name, uid: randomUUID() }, spec: obj.spec };
          return { kind: "put", key: resourceKey(GROUP, k.plural, obj.metadata.name), value: JSON.stringify(value) };
        });
        await store.txn([], ops);
      }
      const ms = now() - started;
      console.log(`  ${String(count - 1).padStart(6)} ${k.plural.padEnd(15)} into the store in ${s(ms)} (${((count - 1) / (ms / 1000)).toFixed(0)}/s)`);
    }
  } finally {
    await store.close();
  }
}

async function pagedList(client: RestClient): Promise<{ items: number; ms: number; pages: number }> {
  let items = 0;
  let pages = 0;
  const started = now();
  for (const { plural } of KINDS) {
    let next: string | undefined;
    do {
      const page = await client.list(plural, { limit: 500, ...(next ? { continue: next } : {}) });
      items += page.items.length;
      pages++;
      next = page.metadata.continue || undefined;
    } while (next);
  }
  return { items, ms: now() - started, pages };
}

/** 1,000 changes, then a watch from just before them: it must replay exactly those, without listing first. */
async function watchFromRecent(client: RestClient): Promise<{ events: number; ms: number; types: string; changes: number }> {
  const before = (await client.list("roles", { limit: 1 })).metadata.resourceVersion ?? "0";
  const changes = Math.min(1000, countOf(0.25));
  await inParallel(changes, 64, (i) => client.patch("roles", nameOf("roles", i), { metadata: { annotations: { "bench/touched": "1" } } }, { type: "merge" }));
  const abort = new AbortController();
  const types = new Map<string, number>();
  let events = 0;
  const started = now();
  for await (const event of client.watch("roles", { resourceVersion: before, signal: abort.signal })) {
    types.set(event.type, (types.get(event.type) ?? 0) + 1);
    if (++events >= changes) break;
  }
  const ms = now() - started;
  abort.abort();
  return { events, ms, types: [...types].map(([t, n]) => `${t} ${n}`).join(", "), changes };
}

async function informerSync(client: RestClient): Promise<{ ms: number; objects: number }> {
  const logger = pino({ level: "warn" });
  const informers = KINDS.map(({ plural }) => new Informer<KubeObject>({ source: restListWatcher(client, plural), clock: systemClock, logger }));
  const started = now();
  for (const informer of informers) informer.start();
  await Promise.all(informers.map((informer) => informer.waitForSync()));
  const ms = now() - started;
  const objects = informers.reduce((n, informer) => n + informer.list().length, 0);
  await Promise.all(informers.map((informer) => informer.stop()));
  return { ms, objects };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "claw-bench-scale-"));
  const config = join(dataDir, "gateway.toml");
  // One admin identity holds every watch here; the default cap is 100 per identity.
  writeFileSync(config, `[server]\nmax_watches_per_identity = ${WATCHERS + 100}\n`);
  const args = ["--config", config, "--controllers=false"];
  console.log(`hack/bench/scale: ${OBJECTS} objects over ${KINDS.length} kinds, ${WATCHERS} watchers, node ${process.version}; server in a child process`);
  let server: ClawServerProcess | undefined;
  let client: RestClient | undefined;
  // However this process ends, its server does not outlive it.
  process.once("exit", () => server?.child.kill("SIGKILL"));
  try {
    server = await startClawServer({ dataDir, extraArgs: args, timeoutMs: 60_000 });
    client = await adminClient(server.adminConfig, { maxConnections: WATCHERS + 200 });
    console.log(`seeding (the API path measured ~300 creates/s on this loaded 2-core machine, too slow for 100,000):`);
    const seeded = now();
    await seedThroughApi(client);
    await client.close();
    await server.stop();
    await seedIntoStore(dataDir);
    server = await startClawServer({ dataDir, extraArgs: args, timeoutMs: 60_000 });
    client = await adminClient(server.adminConfig, { maxConnections: WATCHERS + 200 });
    const seedMs = now() - seeded;
    console.log(`  ${OBJECTS} objects in ${s(seedMs)}`);
    await pagedList(client);
    const afterSeed = rss(server.child.pid);

    const list = await pagedList(client);
    const per10k = (list.ms / list.items) * 10_000;
    console.log(`list      ${list.items} objects in ${list.pages} pages of 500: ${s(list.ms)}, ${per10k.toFixed(0)} ms per 10,000   target ≤ 1000 ms: ${verdict(per10k <= 1000)}`);
    const afterList = rss(server.child.pid);
    const watched = await watchFromRecent(client);
    console.log(`watch     from 1,000 changes ago: ${watched.events} events (${watched.types}) in ${watched.ms.toFixed(0)} ms, no initial list: ${verdict(watched.types === `MODIFIED ${watched.changes}`)}`);
    console.log(`rss       after a restart and one list ${mib(afterSeed.rssKb)}, after a second list ${mib(afterList.rssKb)}, peak ${mib(afterList.peakKb)}   target ≤ 500 MiB: ${verdict(afterList.peakKb <= 500 * 1024)}`);

    await client.close();
    await server.stop();
    const spawned = now();
    server = await startClawServer({ dataDir, extraArgs: args, timeoutMs: 60_000 });
    const listening = now() - spawned;
    client = await adminClient(server.adminConfig, { maxConnections: WATCHERS + 200 });
    await client.list("roles", { limit: 1 });
    const ready = now() - spawned;
    console.log(`cold      restart on ${OBJECTS} objects: listening after ${s(listening)}, first LIST answered after ${s(ready)}   target ≤ 5 s: ${verdict(ready <= 5000)}   rss ${mib(rss(server.child.pid).rssKb)}`);

    const synced = await informerSync(client);
    console.log(`informer  ${KINDS.length} informers (pages of 500) synced ${synced.objects} objects in ${s(synced.ms)}`);

    const https = adminConfOf(readFileSync(server.adminConfig, "utf8"), parseYaml);
    const fan = await measureFanout({
      client,
      https,
      url: server.url,
      watchers: WATCHERS,
      rate: Number(values.rate),
      seconds: Number(values.seconds),
      floodObjects: Array.from({ length: Math.min(countOf(0.15), 4000) }, (_, i) => nameOf("secretpolicies", i)),
      floodBytes: 8 * 1024,
    });
    const line = (l: { p50: number; p99: number; max: number; count: number }) => `p50 ${l.p50.toFixed(1)} ms  p99 ${l.p99.toFixed(1)} ms  max ${l.max.toFixed(1)} ms (n=${l.count})`;
    console.log(`fan-out   baseline, 1 watcher, write sent → watcher has it: ${line(fan.single)}   (acks: ${line(fan.ackSingle)})`);
    console.log(`          ${fan.watchers} watchers, write sent → watcher has it: ${line(fan.fanout)}   ratio p99 to the baseline ${(fan.fanout.p99 / fan.single.p99).toFixed(1)}`);
    console.log(`          ${fan.watchers} watchers, write sent → write acknowledged: ${line(fan.ack)}`);
    console.log(`          while a stalled watcher is flooded (${fan.floodEvents} events, ${fan.floodMiB.toFixed(0)} MiB): ${line(fan.fanoutDuringFlood)}`);
    console.log(`slow      the stalled watcher was cut: ${fan.slowCut ? "yes" : "NO"} (open watches ${fan.openWatchesBefore} → ${fan.openWatchesAfter}); the 10 reading flood watchers got every event: ${fan.fastFloodWatchersComplete ? "yes" : "NO"}`);
    console.log(`rss       after ${WATCHERS} watchers: ${mib(rss(server.child.pid).rssKb)}, peak ${mib(rss(server.child.pid).peakKb)}`);
  } finally {
    await client?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`scale: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
