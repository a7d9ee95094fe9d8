// hack/bench/nodes: the node sessions on one in-process `claw server` (runServer: TLS, its own PKI, the
// embedded SQLite store in a temp data dir, audit on, controllers off), each figure beside a baseline measured
// in the same run. Clients share the server's process (and its CPUs), so every figure includes their cost.
//   (a) joins: --nodes N joined one after another (POST /nodes/join with a bootstrap token made by the admin
//       through the API, and a P-256 CSR made beforehand), one keep-alive TLS connection: joins/s, p50, p99,
//       beside creating N Roles one after another as the admin on one keep-alive connection. The ratio is what
//       the join's work (token spent, Node registered, CSR signed into a Certificate) costs over one write.
//   (b) fan-out: N sessions open (GatewayClient.session, each with its node certificate and its own WireGuard
//       key), one more node opens its session: the time until every one of the N has read a Peers message that
//       names it. Beside it, N admin watches of the Node list (?watch=true from the list's resourceVersion): the
//       time from a label change on a Node (merge PATCH) until every watcher has read that event. --rounds
//       each, alternated, after one warm-up round each. Agents heartbeat every interval meanwhile, as real ones.
//   (c) heartbeats: every session's heartbeat (its Welcome's sessionId, constant mesh figures, so steady state:
//       no status write) for --seconds with --concurrency in flight, round-robin over the N nodes' own TLS
//       connections: heartbeats/s, p50, p99, beside GET /healthz on N more connections with the same node
//       certificates, the same concurrency and duration.
//
//   npm run bench:nodes -- [--nodes 200] [--rounds 5] [--seconds 5] [--concurrency 32]

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { Agent, request } from "undici";
import { parse as parseYaml } from "yaml";
import { SECURITY_API } from "../../api/types/auth-api.js";
import { nodesPaths, type BootstrapTokenCreated, type SessionHello, type SessionMessage } from "../../api/types/nodes-api.js";
import { GatewayClient, type SessionStream } from "../../cmd/node/gateway-client.js";
import { newKeyAndCsr } from "../../cmd/node/node-credentials.js";
import { runServer, type RunningServer } from "../../cmd/server/run-server.js";
import { adminConfOf } from "../testing/https-call.js";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "200" },
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "32" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: node dist/hack/bench/nodes.js [--nodes 200] [--rounds 5] [--seconds 5] [--concurrency 32]");
  process.exit(0);
}
const N = Number(values.nodes);
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const NODES = `${SECURITY_API}/nodes`;
const UA = "claw-bench/nodes";
const WAIT_MS = 120_000;
const LABEL = "bench-round";

const now = () => process.hrtime.bigint();
const msSince = (t: bigint) => Number(now() - t) / 1e6;
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s[s.length - 1] ?? NaN };
};
const f = (x: number, width = 8, digits = 1) => x.toFixed(digits).padStart(width);

interface Credentials {
  name: string;
  index: number;
  certPem: string;
  keyPem: string;
}
interface Session {
  node: Credentials;
  client: GatewayClient;
  stream: SessionStream;
  sessionId: string;
  reading: Promise<void>;
}
/** What a round waits for: every reader in `left` to see `matches`. */
interface Awaited<T> {
  matches: (message: T) => boolean;
  left: Set<object>;
  done: () => void;
}

/** Resolves when every reader in `readers` has seen a message that `matches`; the time from `start` on, in ms. */
async function allSee<T>(slot: { current?: Awaited<T> }, readers: object[], matches: (message: T) => boolean, start: () => Promise<unknown>): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const seen = new Promise<void>((resolve, reject) => {
    slot.current = { matches, left: new Set(readers), done: resolve };
    timer = setTimeout(() => reject(new Error(`${slot.current?.left.size} of ${readers.length} readers saw nothing within ${WAIT_MS} ms`)), WAIT_MS);
  });
  const t0 = now();
  try {
    await start();
    await seen;
    return msSince(t0);
  } finally {
    clearTimeout(timer);
    slot.current = undefined;
  }
}
function heard<T>(slot: { current?: Awaited<T> }, reader: object, message: T): void {
  const round = slot.current;
  if (!round || !round.left.has(reader) || !round.matches(message)) return;
  round.left.delete(reader);
  if (round.left.size === 0) round.done();
}

/** Runs op(i) with `concurrency` in flight until `seconds` pass; per-op latencies in ms and ops per second. */
async function sustained(seconds: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<{ rate: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = now();
  const deadline = t0 + BigInt(Math.round(seconds * 1e9));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (now() < deadline) {
        const t = now();
        await op(next++);
        latencies.push(msSince(t));
      }
    }),
  );
  return { rate: latencies.length / (msSince(t0) / 1000), latencies };
}

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model.trim() ?? "unknown";
  console.log(`hack/bench/nodes: node ${process.version}, ${availableParallelism()} CPUs (${cpu}), load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} at start`);
  console.log(`  ${N} nodes, ${ROUNDS} rounds, ${SECONDS} s at ${CONCURRENCY} in flight; one in-process claw server (TLS, embedded SQLite, audit on, controllers off)`);
  const began = now();
  const dir = mkdtempSync(join(tmpdir(), "claw-bench-nodes-"));
  const server: RunningServer = await runServer({
    config: { listen: { host: "127.0.0.1", port: 0 }, dataDir: join(dir, "data"), etcdEndpoints: [], maxRequestBytes: 1 << 20, maxWatchesPerIdentity: N + 16, sections: {} },
    logger: pino({ level: "silent" }),
    announce: () => {},
    controllers: false,
  });
  const admin = adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml);
  const adminTls = { ca: admin.ca, ...(admin.cert && admin.key ? { cert: admin.cert, key: admin.key } : {}) };
  const adminAgent = new Agent({ connect: adminTls, connections: 1 });
  const watchAgent = new Agent({ connect: adminTls, bodyTimeout: 0 });
  const joinClient = new GatewayClient(server.url, { ca: admin.ca }, UA);
  const sessions: Session[] = [];
  const healthAgents: Agent[] = [];
  const watches: AbortController[] = [];
  let keeper: NodeJS.Timeout | undefined;
  let closing = false;

  const api = async <T>(method: "GET" | "POST" | "PATCH", path: string, body?: unknown, type = "application/json"): Promise<T> => {
    const r = await request(`${server.url}${path}`, { method, dispatcher: adminAgent, headers: { authorization: `Bearer ${admin.token}`, ...(body ? { "content-type": type } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await r.body.text();
    if (r.statusCode >= 300) throw new Error(`${method} ${path}: ${r.statusCode} ${text}`);
    return JSON.parse(text) as T;
  };

  try {
    if (!admin.token) throw new Error(`${server.adminConfigPath} holds no token: the store was not fresh`);
    // (a) joins ------------------------------------------------------------------------------------------------
    const extra = ROUNDS + 1; // the fan-out's new nodes (a warm-up and one per round), joined first as the joins' warm-up
    const total = N + extra;
    const tokens: string[] = [];
    for (let left = total; left > 0; left -= 100) tokens.push((await api<BootstrapTokenCreated>("POST", nodesPaths.tokens, { ttl: "1h", uses: Math.min(100, left), description: "hack/bench/nodes" })).token);
    const csrs = await Promise.all(Array.from({ length: total }, (_, i) => newKeyAndCsr(`bench-${i}`)));
    const nodes: Credentials[] = [];
    const joinTimes: number[] = [];
    const order = [...Array.from({ length: extra }, (_, i) => N + i), ...Array.from({ length: N }, (_, i) => i)];
    let joinStart = now();
    for (const [k, i] of order.entries()) {
      if (k === extra) joinStart = now();
      const t = now();
      const credentials = await joinClient.join(tokens[Math.floor(k / 100)]!, { node: `bench-${i}`, csr: csrs[i]!.csrPem });
      if (k >= extra) joinTimes.push(msSince(t));
      nodes[i] = { name: `bench-${i}`, index: i, certPem: `${credentials.certificate}${credentials.chain}`, keyPem: csrs[i]!.keyPem };
    }
    const joinRate = N / (msSince(joinStart) / 1000);
    const role = (i: number) => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: `bench-role-${i}` }, spec: { description: "hack/bench/nodes", permissions: ["nodes:read"] } });
    for (let i = 0; i < extra; i++) await api("POST", `${SECURITY_API}/roles`, role(N + i)); // warm-up
    const roleTimes: number[] = [];
    const roleStart = now();
    for (let i = 0; i < N; i++) {
      const t = now();
      await api("POST", `${SECURITY_API}/roles`, role(i));
      roleTimes.push(msSince(t));
    }
    const roleRate = N / (msSince(roleStart) / 1000);
    const [js, rs] = [stats(joinTimes), stats(roleTimes)];
    console.log(`(a) ${N} one after another, one keep-alive TLS connection (after ${extra} warm-up each)      per s    p50 ms   p99 ms`);
    console.log(`    join: POST /nodes/join, bootstrap token + P-256 CSR (signed, Node registered)  ${f(joinRate)}  ${f(js.p50)} ${f(js.p99)}`);
    console.log(`    baseline: POST a Role as the admin                                             ${f(roleRate)}  ${f(rs.p50)} ${f(rs.p99)}`);
    console.log(`    ratio join/Role: throughput ${(joinRate / roleRate).toFixed(2)}, p50 latency ${(js.p50 / rs.p50).toFixed(2)}x`);

    // (b) fan-out ----------------------------------------------------------------------------------------------
    const peersSlot: { current?: Awaited<SessionMessage> } = {};
    const hello = (i: number): SessionHello => {
      const key = Buffer.alloc(32, 0x5a);
      key.writeUInt32BE(i + 1);
      const host = `192.0.2.${(i % 254) + 1}`;
      return { agentVersion: "0.1.0", addresses: [host], mesh: { provider: "wireguard", publicKey: key.toString("base64"), listenPort: 51820, endpoint: `${host}:51820` }, enforceBlocklist: true };
    };
    const open = async (node: Credentials): Promise<Session> => {
      const tls = { ca: admin.ca, cert: node.certPem, key: node.keyPem };
      const client = new GatewayClient(server.url, tls, UA);
      const stream = await client.session(node.name, hello(node.index));
      const iterator = stream.messages[Symbol.asyncIterator]();
      const first = await iterator.next();
      if (first.done || first.value.type !== "Welcome") throw new Error(`${node.name}: the session began without a Welcome`);
      const session: Session = { node, client, stream, sessionId: first.value.sessionId, reading: Promise.resolve() };
      session.reading = (async () => {
        for (;;) {
          const { value, done } = await iterator.next();
          if (done) break;
          heard(peersSlot, session, value);
          if (value.type === "Goodbye" && !closing) console.error(`${node.name}: the server ended the session: ${value.reason}`);
        }
      })().catch((err: Error) => void (closing || console.error(`${node.name}: reading the session failed: ${err.message}`)));
      healthAgents.push(new Agent({ connect: { ...tls, minVersion: "TLSv1.2" } }));
      return session;
    };
    // Agents heartbeat (no mesh figures: no status write) spread over half the interval, as real ones would.
    let beat = 0;
    keeper = setInterval(() => {
      const s = sessions[beat++ % Math.max(1, sessions.length)];
      if (s) s.client.heartbeat(s.node.name, { sessionId: s.sessionId }).catch((err: Error) => void (closing || console.error(`${s.node.name}: heartbeat failed: ${err.message}`)));
    }, Math.max(1, Math.floor(5_000 / N)));
    const openStart = now();
    for (let i = 0; i < N; i++) sessions.push(await open(nodes[i]!));
    const openSeconds = msSince(openStart) / 1000;
    const originals = [...sessions];

    const watchSlot: { current?: Awaited<{ type: string; object: { metadata: { labels?: Record<string, string> } } }> } = {};
    const watchers: object[] = [];
    const listed = await api<{ metadata: { resourceVersion: string } }>("GET", NODES);
    for (let i = 0; i < N; i++) {
      const abort = new AbortController();
      const r = await request(`${server.url}${NODES}?watch=true&resourceVersion=${listed.metadata.resourceVersion}`, { dispatcher: watchAgent, headers: { authorization: `Bearer ${admin.token}` }, signal: abort.signal });
      if (r.statusCode !== 200) throw new Error(`watch ${i}: ${r.statusCode} ${await r.body.text()}`);
      const watcher = {};
      watchers.push(watcher);
      watches.push(abort);
      void (async () => {
        let pending = "";
        for await (const chunk of r.body) {
          pending += chunk.toString("utf8");
          let newline: number;
          while ((newline = pending.indexOf("\n")) >= 0) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            if (line.trim() !== "") heard(watchSlot, watcher, JSON.parse(line) as { type: string; object: { metadata: { labels?: Record<string, string> } } });
          }
        }
      })().catch((err: Error) => void (closing || console.error(`watch ${i} failed: ${err.message}`)));
    }
    const fanOut: number[] = [];
    const watched: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const newcomer = nodes[N + round]!;
      const names = (m: SessionMessage) => m.type === "Peers" && m.peers.some((p) => p.name === newcomer.name);
      const peersMs = await allSee(peersSlot, originals, names, async () => sessions.push(await open(newcomer)));
      const value = `r${round}`;
      const labelled = (e: { type: string; object: { metadata: { labels?: Record<string, string> } } }) => e.type === "MODIFIED" && e.object.metadata.labels?.[LABEL] === value;
      const target = `${NODES}/${nodes[round % N]!.name}`;
      const watchMs = await allSee(watchSlot, watchers, labelled, () => api("PATCH", target, { metadata: { labels: { [LABEL]: value } } }, "application/merge-patch+json"));
      if (round > 0) {
        fanOut.push(peersMs);
        watched.push(watchMs);
      }
    }
    const [ps, ws] = [stats(fanOut), stats(watched)];
    console.log(`(b) ${N} readers, until all have read it, ${ROUNDS} rounds alternated (after a warm-up)          p50 ms    p99 ms    max ms`);
    console.log(`    a new node's session opens -> Peers naming it in all ${N} sessions (${N + 1}-${N + ROUNDS} peers)  ${f(ps.p50, 9)} ${f(ps.p99, 9)} ${f(ps.max, 9)}`);
    console.log(`    baseline: label PATCH on a Node -> MODIFIED in all ${N} admin watches of nodes   ${f(ws.p50, 9)} ${f(ws.p99, 9)} ${f(ws.max, 9)}`);
    console.log(`    ratio sessions/watches: p50 ${(ps.p50 / ws.p50).toFixed(2)}, p99 ${(ps.p99 / ws.p99).toFixed(2)}, max ${(ps.max / ws.max).toFixed(2)}   rounds: ${fanOut.map((x) => x.toFixed(0)).join(", ")} vs ${watched.map((x) => x.toFixed(0)).join(", ")} ms`);
    console.log(`    (opening the ${N} sessions one after another took ${openSeconds.toFixed(1)} s, each sending every open one a new Peers)`);

    // (c) heartbeats -------------------------------------------------------------------------------------------
    clearInterval(keeper);
    keeper = undefined;
    const mesh = { peers: sessions.length - 1, peersUp: sessions.length - 1 };
    const heartbeat = (i: number) => {
      const s = originals[i % N]!;
      return s.client.heartbeat(s.node.name, { sessionId: s.sessionId, mesh });
    };
    const healthz = async (i: number) => {
      const r = await request(`${server.url}/healthz`, { dispatcher: healthAgents[i % N]!, headers: { "user-agent": UA } });
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`GET /healthz: ${r.statusCode}`);
    };
    // Warm-up: each session writes its mesh figures once (then steady state) and each health connection is made.
    for (let i = 0; i < N; i += CONCURRENCY) await Promise.all(Array.from({ length: Math.min(CONCURRENCY, N - i) }, (_, k) => Promise.all([heartbeat(i + k), healthz(i + k)])));
    const revision = async () => Number((await api<{ metadata: { resourceVersion: string } }>("GET", `${NODES}?limit=1`)).metadata.resourceVersion);
    const before = await revision();
    const hb = await sustained(SECONDS, CONCURRENCY, heartbeat);
    const writes = (await revision()) - before;
    const hz = await sustained(SECONDS, CONCURRENCY, healthz);
    const [hs, zs] = [stats(hb.latencies), stats(hz.latencies)];
    console.log(`(c) ${SECONDS} s each, ${CONCURRENCY} in flight, round-robin over ${N} node TLS connections                   per s    p50 ms   p99 ms`);
    console.log(`    POST heartbeat (sessionId + mesh figures, steady state)                         ${f(hb.rate)}  ${f(hs.p50)} ${f(hs.p99)}`);
    console.log(`    baseline: GET /healthz with the same node certificates                           ${f(hz.rate)}  ${f(zs.p50)} ${f(zs.p99)}`);
    console.log(`    ratio heartbeat/healthz: throughput ${(hb.rate / hz.rate).toFixed(2)}, p99 latency ${(hs.p99 / zs.p99).toFixed(2)}x   (store revision moved by ${writes} during the heartbeats)`);
  } finally {
    closing = true;
    if (keeper) clearInterval(keeper);
    for (const w of watches) w.abort();
    for (const s of sessions) s.stream.close();
    await Promise.all(sessions.map(async (s) => (await s.reading, await s.client.close())));
    await Promise.all([...healthAgents, watchAgent, adminAgent].map((a) => a.close().catch(() => undefined)));
    await joinClient.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`total ${(msSince(began) / 1000).toFixed(1)} s, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} at the end`);
}

await main();
