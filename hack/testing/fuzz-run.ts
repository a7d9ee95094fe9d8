// Runs fuzz-requests.ts against the real `claw server` in-process (runServer on 127.0.0.1:0, HTTPS, the
// embedded store, the controllers): one request at a time, while a health check polls /readyz every 50 ms.
// The property: every request is answered, below 500, without a stack trace; a health answer slower than
// the stall limit is recorded with the request in flight at the time.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import fc from "fast-check";
import { pino } from "pino";
import { parse as parseYaml } from "yaml";
import { runServer, type RunningServer } from "../../cmd/server/run-server.js";
import { adminConfOf } from "./https-call.js";
import { describeRequest, fuzzRequest, type FuzzRequest } from "./fuzz-requests.js";

export interface FuzzTarget {
  url: string;
  ca: string;
  token: string;
  server: RunningServer;
  /** Every object name that exists before the fuzz: the fuzz never touches them. */
  reserved: string[];
  stop(): Promise<void>;
}

export async function startFuzzTarget(): Promise<FuzzTarget> {
  const dir = mkdtempSync(join(tmpdir(), "claw-fuzz-"));
  const server = await runServer({
    config: { listen: { host: "127.0.0.1", port: 0 }, dataDir: join(dir, "data"), etcdEndpoints: [], maxRequestBytes: 1 << 20, sections: {} },
    logger: pino({ level: "silent" }),
    announce: () => {},
  });
  const admin = adminConfOf(readFileSync(server.adminConfigPath, "utf8"), parseYaml);
  const target = { url: server.url, ca: admin.ca, token: admin.token ?? "", server, reserved: [] as string[], stop: async () => (await server.stop(), rmSync(dir, { recursive: true, force: true })) };
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: admin.ca });
  for (const route of server.server.routes.all().filter((r) => r.id.endsWith(".list") && r.path.startsWith("/apis/"))) {
    const answer = await send(target, agent, { method: "GET", path: route.path, headers: { authorization: `Bearer ${target.token}` } });
    const items = (answer.text ? (JSON.parse(answer.text) as { items?: { metadata: { name: string } }[] }).items : undefined) ?? [];
    target.reserved.push(...items.map((i) => i.metadata.name));
  }
  agent.destroy();
  return target;
}

export interface Answer {
  status: number;
  text: string;
  /** Set when no HTTP answer came: the connection dropped, or nothing within the deadline. */
  error?: string;
}

/** One request; the body is read until it ends or `drainMs` after the headers (a watch never ends). */
export function send(target: { url: string }, agent: Agent, r: FuzzRequest, limits = { headersMs: 5000, drainMs: 100 }): Promise<Answer> {
  return new Promise((resolve) => {
    let text = "";
    let status = 0;
    const done = (error?: string) => (clearTimeout(deadline), resolve({ status, text, ...(error ? { error } : {}) }));
    let req: ReturnType<typeof request>;
    try {
      // host and port apart from the path: a path of "//x" is a path here, not a URL of the host x.
      const { hostname, port } = new URL(target.url);
      req = request({ host: hostname, port, path: r.path, method: r.method, agent, headers: { ...r.headers, ...(r.body ? { "content-length": String(r.body.bytes.length) } : {}) } }, (res) => {
        status = res.statusCode ?? 0;
        clearTimeout(deadline);
        const drain = setTimeout(() => (res.destroy(), resolve({ status, text })), limits.drainMs);
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (text.length < 65_536) text += chunk;
        });
        res.on("end", () => (clearTimeout(drain), resolve({ status, text })));
        res.on("error", () => (clearTimeout(drain), resolve({ status, text })));
      });
    } catch (err) {
      // Node refused to send it (a header or path it cannot put on the wire): not the server's doing.
      resolve({ status: -1, text: "", error: `unsendable: ${(err as Error).message}` });
      return;
    }
    const deadline = setTimeout(() => (req.destroy(), done(`no answer within ${limits.headersMs} ms`)), limits.headersMs);
    req.on("error", (err) => (status === 0 ? done(`no answer: ${(err as NodeJS.ErrnoException).code ?? err.message}`) : undefined));
    req.end(r.body?.bytes);
  });
}

export interface HealthReport {
  polls: number;
  maxMs: number;
  p99Ms: number;
  /** Health answers slower than the limit, with the fuzz request in flight at the time. */
  stalls: { ms: number; inFlight: string }[];
  /** The event loop's own longest delay (perf_hooks), the in-process client's share included. */
  eventLoopMaxMs: number;
}

/** Polls /readyz every `intervalMs` on its own connection until stopped. */
export function watchHealth(target: FuzzTarget, opts: { intervalMs: number; stallMs: number; inFlight: () => string }): { stop(): Promise<HealthReport> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: target.ca });
  const latencies: number[] = [];
  const stalls: HealthReport["stalls"] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let running = true;
  const polling = (async () => {
    // The first handshakes and the JIT warming up are not a stall of the server under fuzz.
    for (let i = 0; i < 5; i++) await send(target, agent, { method: "GET", path: "/readyz", headers: {} });
    loop.reset();
    while (running) {
      const started = performance.now();
      const inFlight = opts.inFlight();
      const answer = await send(target, agent, { method: "GET", path: "/readyz", headers: {} }, { headersMs: 10_000, drainMs: 1000 });
      const ms = performance.now() - started;
      latencies.push(ms);
      const after = opts.inFlight();
      const during = after === inFlight ? inFlight : `${inFlight} … then ${after}`;
      if (ms > opts.stallMs || answer.status !== 200) stalls.push({ ms: Math.round(ms), inFlight: `${answer.status} ${answer.error ?? ""} during ${during}` });
      await delay(Math.max(0, opts.intervalMs - ms));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await polling;
      loop.disable();
      agent.destroy();
      const sorted = [...latencies].sort((a, b) => a - b);
      const round = (n: number) => Math.round(n * 10) / 10;
      return { polls: sorted.length, maxMs: round(sorted.at(-1) ?? 0), p99Ms: round(sorted[Math.floor(sorted.length * 0.99)] ?? 0), stalls, eventLoopMaxMs: round(loop.max / 1e6) };
    },
  };
}

export interface FuzzReport {
  seed: number;
  cases: number;
  seconds: number;
  histogram: Record<string, number>;
  /** The first failing request, shrunk, and why it failed. */
  failure?: { request: string; problem: string; shrinks: number };
  /** 5xx answers, kube-apiserver's 504 ResourceVersionTooLarge not counted (it is in the histogram). */
  fiveHundreds: number;
  dropped: number;
  /** With keepGoing: every failing request, unshrunk (the first 50). */
  problems: string[];
  health: HealthReport;
  /** /readyz after the run. */
  aliveAfter: boolean;
}

/**
 * kube-apiserver's answer to a read at a revision the store has not reached: 504 with the cause
 * ResourceVersionTooLarge, which client-go's reflector looks for (errors.ts tooLargeResourceVersion). It is
 * the compatible answer to a client's bad input, so it is counted apart and is no failure.
 */
export const isResourceVersionTooLarge = (a: Answer): boolean => a.status === 504 && a.text.includes('"ResourceVersionTooLarge"');

/** What is wrong with an answer, or undefined. */
export function problemOf(a: Answer): string | undefined {
  if (a.error && !a.error.startsWith("unsendable")) return a.error;
  if (a.status >= 500 && !isResourceVersionTooLarge(a)) return `${a.status} ${a.text.slice(0, 300)}`;
  if (/\n\s+at .+:\d+:\d+\)?/.test(a.text)) return `a stack trace in the ${a.status} answer: ${a.text.slice(0, 300)}`;
  return undefined;
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** A health answer slower than this is a stall (default 200 ms). */
  stallMs?: number;
  /** Record every failing request and go on, instead of stopping at the first and shrinking it. */
  keepGoing?: boolean;
  onProgress?: (done: number) => void;
}

export async function runFuzz(target: FuzzTarget, opts: FuzzOptions): Promise<FuzzReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: target.ca });
  const routes = target.server.server.routes.all().map((r) => ({ method: r.method, path: r.path }));
  const histogram: Record<string, number> = {};
  let inFlight = "nothing";
  let cases = 0;
  let fiveHundreds = 0;
  let dropped = 0;
  const problems: string[] = [];
  /** The last requests, newest first: a connection that hangs may owe it to the one before. */
  const recent: string[] = [];
  const health = watchHealth(target, { intervalMs: 50, stallMs: opts.stallMs ?? 200, inFlight: () => inFlight });
  const started = performance.now();
  const property = fc.asyncProperty(fuzzRequest({ routes, adminToken: target.token, reserved: target.reserved }), async (r) => {
    inFlight = describeRequest(r);
    let answer = await send(target, agent, r);
    // A HEAD answer has no body to classify a 5xx by: the same request as a GET says which one it was.
    if (r.method === "HEAD" && answer.status >= 500) answer = { ...answer, text: (await send(target, agent, { ...r, method: "GET" })).text };
    inFlight = "nothing";
    cases++;
    const key = answer.error ? answer.error.split(":")[0]! : isResourceVersionTooLarge(answer) ? "504 ResourceVersionTooLarge" : String(answer.status);
    histogram[key] = (histogram[key] ?? 0) + 1;
    if (answer.status >= 500 && !isResourceVersionTooLarge(answer)) fiveHundreds++;
    if (answer.error && !answer.error.startsWith("unsendable")) dropped++;
    if (cases % 1000 === 0) opts.onProgress?.(cases);
    const problem = problemOf(answer);
    if (problem && opts.keepGoing) {
      const before = answer.error ? `\n  after: ${recent.map((d) => d.slice(0, 400)).join("\n  after: ")}` : "";
      if (problems.length < 50) problems.push(`#${cases} ${problem.slice(0, 200)} ← ${describeRequest(r).slice(0, 600)}${before}`);
    }
    recent.unshift(`${answer.status} ${describeRequest(r)}`);
    recent.length = Math.min(recent.length, 3);
    if (problem && !opts.keepGoing) throw new Error(problem);
  });
  const details = await fc.check(property, { seed: opts.seed, numRuns: opts.cases });
  const seconds = (performance.now() - started) / 1000;
  const healthReport = await health.stop();
  const alive = await send(target, agent, { method: "GET", path: "/readyz", headers: {} });
  agent.destroy();
  return {
    seed: opts.seed,
    cases,
    seconds,
    histogram,
    fiveHundreds,
    dropped,
    problems,
    health: healthReport,
    aliveAfter: alive.status === 200,
    ...(details.failed && details.counterexample ? { failure: { request: describeRequest(details.counterexample[0]), problem: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance), shrinks: details.numShrinks } } : {}),
  };
}
