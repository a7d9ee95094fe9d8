// /healthz, /livez, /readyz: liveness is the process answering; readiness needs the store.

import type { Clock } from "../machinery/clock.js";
import type { Store } from "../store/store.js";
import { sendText } from "./http-io.js";
import type { RequestContext } from "./request-context.js";

export interface HealthOptions {
  store: Store;
  clock: Clock;
  /** How long the store may take to answer a ping before the server reports not ready. */
  storeTimeoutMs?: number;
  /** Extra named checks (controllers, informers) added later. */
  checks?: Record<string, () => Promise<void>>;
}

export async function serveHealth(ctx: RequestContext, kind: "healthz" | "livez" | "readyz", opts: HealthOptions): Promise<void> {
  const checks: Record<string, () => Promise<void>> = kind === "livez" ? { ping: async () => {} } : { ping: async () => {}, store: () => withTimeout(opts, opts.store.ping()), ...opts.checks };
  const results: [string, string | undefined][] = [];
  for (const [name, check] of Object.entries(checks)) {
    try {
      await check();
      results.push([name, undefined]);
    } catch (err) {
      results.push([name, (err as Error).message]);
    }
  }
  const failed = results.filter(([, e]) => e !== undefined);
  const verbose = ctx.url.searchParams.has("verbose");
  if (!verbose && failed.length === 0) return sendText(ctx.res, 200, "ok");
  const lines = results.map(([name, e]) => (e === undefined ? `[+]${name} ok` : `[-]${name} failed: ${e}`));
  lines.push(failed.length === 0 ? `${kind} check passed` : `${kind} check failed`);
  sendText(ctx.res, failed.length === 0 ? 200 : 503, lines.join("\n") + "\n");
}

function withTimeout(opts: HealthOptions, work: Promise<void>): Promise<void> {
  const ms = opts.storeTimeoutMs ?? 2000;
  return new Promise((resolve, reject) => {
    const timer = opts.clock.setTimer(ms, () => reject(new Error(`the store did not answer within ${ms} ms`)));
    work.then(
      () => (timer.cancel(), resolve()),
      () => (timer.cancel(), reject(new Error("the store is unreachable"))),
    );
  });
}
