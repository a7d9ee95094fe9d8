// hack/bench/scale (part): many watchers on one server, and one that never reads. See scale.ts.

import { connect } from "node:tls";
import type { RestClient } from "../../api/client/rest-client.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import type { HttpsClient } from "../testing/https-call.js";
import { summarize, type LatencySummary } from "./reconcile-latency.js";

const now = () => performance.now();

/** A watch whose every event is handed to `onEvent` with its arrival time; `ended` settles when the stream ends. */
interface OpenWatch {
  abort: AbortController;
  ended: Promise<void>;
}

function watchInto(client: RestClient, plural: string, resourceVersion: string, onEvent: (seq: number, at: number) => void): OpenWatch {
  const abort = new AbortController();
  const ended = (async () => {
    for await (const event of client.watch(plural, { resourceVersion, signal: abort.signal })) {
      if (event.type !== "MODIFIED") continue;
      const obj = event.object as { metadata: { annotations?: Record<string, string> } };
      onEvent(Number(obj.metadata.annotations?.["bench/seq"] ?? NaN), now());
    }
  })().catch((err: unknown) => {
    if (!abort.signal.aborted) console.error(`a ${plural} watch failed: ${(err as Error).message}`);
  });
  return { abort, ended };
}

/** Resolves when `count()` reaches `target`; `poke` is called by whoever moves the count. */
class CountWaiter {
  private waiters: { target: number; resolve: () => void }[] = [];
  constructor(private readonly count: () => number) {}
  until(target: number): Promise<void> {
    if (this.count() >= target) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }
  poke(): void {
    const n = this.count();
    this.waiters = this.waiters.filter((w) => (n >= w.target ? (w.resolve(), false) : true));
  }
}

const annotate = (seq: number, pad = "") => ({ metadata: { annotations: { "bench/seq": String(seq), ...(pad ? { "bench/pad": pad } : {}) } } });

export interface FanoutOptions {
  client: RestClient;
  https: HttpsClient;
  url: string;
  watchers: number;
  /** Changes per second to the one watched Role, and for how long. */
  rate: number;
  seconds: number;
  /** Objects of the flood kind (secretpolicies) the slow watcher watches, and each flood event's padding. */
  floodObjects: string[];
  floodBytes: number;
}

export interface FanoutResult {
  watchers: number;
  /** Write sent → each watcher has the event, every (watcher, event) pair. */
  fanout: LatencySummary;
  /** Write sent → write acknowledged, beside it. */
  ack: LatencySummary;
  /** The baseline: the same changes with one watcher open, and their acks. */
  single: LatencySummary;
  ackSingle: LatencySummary;
  /** The same fan-out while one stalled watcher is flooded with another kind's events. */
  fanoutDuringFlood: LatencySummary;
  floodEvents: number;
  floodMiB: number;
  slowCut: boolean;
  fastFloodWatchersComplete: boolean;
  openWatchesBefore: number;
  openWatchesAfter: number;
}

/** /metrics is text, not JSON: read it raw. */
async function metricsText(url: string, https: HttpsClient): Promise<string> {
  const { request } = await import("node:https");
  return new Promise((resolve, reject) => {
    const req = request(new URL("/metrics", url), { ca: https.ca, headers: https.token ? { Authorization: `Bearer ${https.token}` } : {} }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve(text));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
const openWatchCount = async (url: string, https: HttpsClient) => Number(/^claw_apiserver_open_watches (\d+)/m.exec(await metricsText(url, https))?.[1] ?? NaN);

/** A watch over a raw TLS socket that reads nothing: what the server buffers for it can only grow. */
function stalledWatch(url: string, https: HttpsClient, path: string): Promise<{ closed: () => boolean; destroy: () => void }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port), ca: https.ca, servername: "localhost" }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${target.host}\r\nAuthorization: Bearer ${https.token ?? ""}\r\n\r\n`);
      socket.pause();
      resolve({ closed: () => socket.readableEnded || socket.destroyed, destroy: () => socket.destroy() });
    });
    socket.on("error", reject);
  });
}

export async function measureFanout(opts: FanoutOptions): Promise<FanoutResult> {
  const { client, url, https } = opts;
  // Changes go round-robin over 32 Roles: two merge patches in flight on one object can answer 409 here.
  const targets = Array.from({ length: 32 }, (_, i) => `fanout-${i}`);
  const currentRv = async () => (await client.list("roles", { limit: 1 })).metadata.resourceVersion ?? "0";
  for (const name of targets) await client.create("roles", { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { permissions: ["nodes:read"] } } satisfies KubeObject);
  const arrivals = new Map<number, number[]>();
  let received = 0;
  /** Deliveries due so far: each change counts once per watch open (from an earlier revision) when it was sent. */
  let expected = 0;
  const waiter = new CountWaiter(() => received);
  const watches: OpenWatch[] = [];
  const open = (count: number, rv: string) => {
    for (let i = 0; i < count; i++) {
      watches.push(watchInto(client, "roles", rv, (seq, at) => {
        let list = arrivals.get(seq);
        if (!list) arrivals.set(seq, (list = []));
        list.push(at);
        received++;
        waiter.poke();
      }));
    }
  };
  const sentAt = new Map<number, number>();
  const ackMs: number[] = [];
  let seq = 0;
  const send = async () => {
    const n = seq++;
    expected += watches.length;
    sentAt.set(n, now());
    await client.patch("roles", targets[n % targets.length]!, annotate(n), { type: "merge" });
    ackMs.push(now() - (sentAt.get(n) ?? 0));
  };
  const paced = async (): Promise<{ from: number; to: number }> => {
    const from = seq;
    const total = Math.round(opts.rate * opts.seconds);
    const started = now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / opts.rate - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inflight.push(send());
    }
    await Promise.all(inflight);
    await waiter.until(expected);
    return { from, to: seq };
  };
  const latencies = (range: { from: number; to: number }) => {
    const samples: number[] = [];
    for (let s = range.from; s < range.to; s++) for (const at of arrivals.get(s) ?? []) samples.push(at - (sentAt.get(s) ?? at));
    return summarize(samples);
  };

  // The baseline: the same changes to one watcher, in this run. A watch is open once it has its first change.
  open(1, await currentRv());
  await send();
  await waiter.until(expected);
  const single = latencies(await paced());
  const ackSingle = summarize(ackMs.splice(0));
  open(opts.watchers - 1, await currentRv());
  await send();
  await waiter.until(expected);
  const openBefore = await openWatchCount(url, https);
  ackMs.splice(0);
  const quiet = await paced();
  const ackQuiet = summarize(ackMs.splice(0));

  // One stalled watcher and ten reading ones on secretpolicies, flooded while the fan-out above goes on.
  const floodRv = (await client.list("secretpolicies", { limit: 1 })).metadata.resourceVersion ?? "0";
  const slow = await stalledWatch(url, https, `/apis/security.clawbernetes.com/v1/secretpolicies?watch=true&resourceVersion=${floodRv}`);
  let floodReceived = 0;
  const floodWaiter = new CountWaiter(() => floodReceived);
  const floodWatches = Array.from({ length: 10 }, () => watchInto(client, "secretpolicies", floodRv, () => (floodReceived++, floodWaiter.poke())));
  const pad = "p".repeat(opts.floodBytes);
  const flood = (async () => {
    for (let i = 0; i < opts.floodObjects.length; i += 32) {
      await Promise.all(opts.floodObjects.slice(i, i + 32).map((name, j) => client.patch("secretpolicies", name, annotate(i + j, pad), { type: "merge" })));
    }
  })();
  const [during] = await Promise.all([paced(), flood]);
  await floodWaiter.until(10 * opts.floodObjects.length);
  const openAfter = await openWatchCount(url, https);
  const result: FanoutResult = {
    watchers: opts.watchers,
    fanout: latencies(quiet),
    ack: ackQuiet,
    single,
    ackSingle,
    fanoutDuringFlood: latencies(during),
    floodEvents: opts.floodObjects.length,
    floodMiB: (opts.floodObjects.length * opts.floodBytes) / 2 ** 20,
    slowCut: openAfter === openBefore + 10,
    fastFloodWatchersComplete: floodReceived === 10 * opts.floodObjects.length,
    openWatchesBefore: openBefore,
    openWatchesAfter: openAfter,
  };
  slow.destroy();
  for (const w of [...watches, ...floodWatches]) w.abort.abort();
  await Promise.all([...watches, ...floodWatches].map((w) => w.ended));
  return result;
}
