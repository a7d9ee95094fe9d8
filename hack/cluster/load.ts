// A steady load on every server of a cluster: each writer creates Roles and reads each back, retrying a failed
// request once (what a client does); every request's outcome and time is kept. A resilient watcher follows the
// Roles through one server, resuming from the last resourceVersion it saw whenever its stream breaks.

import { isApiError } from "../../api/machinery/errors.js";
import type { RestClient } from "../../api/client/rest-client.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { pause } from "./processes.js";

/**
 * A client's one retry comes after this: longer than etcd's election timeout (1 s by default), so a request
 * refused while the members elect a new leader is retried on the new one. 250 ms was inside the election, and
 * one request in a few hundred failed twice (seen once in four CI runs).
 */
export const RETRY_DELAY_MS = 1500;

export interface RequestRecord {
  server: number;
  at: number;
  ms: number;
  /** HTTP status (0: no answer: connection refused or reset). */
  status: number;
  ok: boolean;
}

export interface LoadReport {
  records: RequestRecord[];
  /** Operations that failed on the retry too. */
  failed: RequestRecord[];
  /** Roles acknowledged as created, in order per writer. */
  created: string[];
}

export interface SteadyLoad {
  stop(): Promise<LoadReport>;
}

const role = (name: string): KubeObject => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name, labels: { load: "steady" } }, spec: { description: "steady load", permissions: ["nodes:read"] } });

export const statusOf = (err: unknown): number => (isApiError(err) ? err.code : 0);

/** Starts one writer per client (client i talks to server i); `prefix` keeps the names of runs apart. */
export function startSteadyLoad(clients: readonly RestClient[], opts: { prefix: string; retryDelayMs?: number; pauseMs?: number }): SteadyLoad {
  const records: RequestRecord[] = [];
  const failed: RequestRecord[] = [];
  const created: string[] = [];
  let running = true;
  const timed = async (server: number, work: () => Promise<unknown>): Promise<RequestRecord> => {
    const at = Date.now();
    try {
      await work();
      return { server, at, ms: Date.now() - at, status: 200, ok: true };
    } catch (err) {
      return { server, at, ms: Date.now() - at, status: statusOf(err), ok: false };
    }
  };
  // A create that timed out may have happened: the retry's 409 AlreadyExists is then a success.
  const once = async (server: number, work: () => Promise<unknown>, retryOk: (r: RequestRecord) => boolean = () => false): Promise<boolean> => {
    const first = await timed(server, work);
    records.push(first);
    if (first.ok) return true;
    await pause(opts.retryDelayMs ?? RETRY_DELAY_MS);
    const second = await timed(server, work);
    records.push(second);
    if (second.ok || retryOk(second)) return true;
    failed.push(second);
    return false;
  };
  const writer = async (client: RestClient, server: number) => {
    for (let n = 0; running; n++) {
      const name = `${opts.prefix}-${server}-${n}`;
      if (await once(server, () => client.create("roles", role(name)), (r) => r.status === 409)) {
        created.push(name);
        await once(server, () => client.get("roles", name));
      }
      if (opts.pauseMs) await pause(opts.pauseMs);
    }
  };
  const writers = clients.map((client, i) => writer(client, i));
  return {
    async stop() {
      running = false;
      await Promise.all(writers);
      return { records, failed, created };
    },
  };
}

export interface FollowedWatch {
  /** Names of ADDED Roles in the order seen (duplicates kept, to be checked). */
  added: string[];
  /** 410 Gone answers (each would force a relist). */
  gone: number;
  /** Times the stream broke and was resumed. */
  resumes: number;
  lastResourceVersion: () => string;
  stop(): Promise<void>;
}

/** Watches Roles from `resourceVersion` through `client`, resuming from its last one after every break. */
export function followRoles(client: RestClient, resourceVersion: string, opts: { labelSelector?: string } = {}): FollowedWatch {
  const abort = new AbortController();
  let rv = resourceVersion;
  const state = { added: [] as string[], gone: 0, resumes: 0 };
  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        for await (const event of client.watch("roles", { resourceVersion: rv, signal: abort.signal, allowWatchBookmarks: true, ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}) })) {
          const obj = event.object as KubeObject;
          if (event.type === "ADDED") state.added.push(obj.metadata.name);
          if (obj.metadata.resourceVersion) rv = obj.metadata.resourceVersion;
        }
      } catch (err) {
        if (statusOf(err) === 410) state.gone++;
      }
      if (abort.signal.aborted) return;
      state.resumes++;
      await pause(250);
    }
  };
  const done = run();
  return {
    get added() {
      return state.added;
    },
    get gone() {
      return state.gone;
    },
    get resumes() {
      return state.resumes;
    },
    lastResourceVersion: () => rv,
    async stop() {
      abort.abort();
      await done;
    },
  };
}

/** The p-th percentile (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
