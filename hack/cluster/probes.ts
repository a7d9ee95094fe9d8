// What the cluster tests and the failover benchmark ask a running cluster: who leads the controllers, whether
// the servers are ready, how many times the audit log recorded an action per object.

import { request } from "node:https";
import type { RestClient } from "../../api/client/rest-client.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { DEFAULT_LEASE_NAME } from "../../controllers/runtime/manager.js";
import type { LocalCluster } from "./cluster.js";
import { pause } from "./processes.js";

/** Polls (real processes are on the other side; there is no clock to step) until `probe` gives a value. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : ""}`);
    await pause(everyMs);
  }
}

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string };
}

/** The index of the running server whose controller manager holds the lease, asked through server `via`. */
export async function leaderIndex(cluster: LocalCluster, via: RestClient, timeoutMs = 30_000): Promise<number> {
  return until("a running server to hold the controller lease", timeoutMs, async () => {
    const lease = await via.get<Lease>("leases", DEFAULT_LEASE_NAME);
    const holder = lease.spec?.holderIdentity;
    const index = cluster.servers.specs.findIndex((_, i) => cluster.servers.isRunning(i) && cluster.servers.identity(i) === holder);
    return index >= 0 ? index : undefined;
  });
}

/** The status code of GET `path` (0 when the connection fails) and how long the answer took. */
export function probe(url: string, path: string, ca: string, timeoutMs = 10_000): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = request(new URL(path, url), { ca, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started }));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve({ status: 0, ms: Date.now() - started }));
    req.end();
  });
}

/** Resolves with how long it took every running server's /readyz to answer 200. */
export async function allReady(cluster: LocalCluster, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await until("every server to be ready", timeoutMs, async () => {
    const answers = await Promise.all(cluster.urls().filter((_, i) => cluster.servers.isRunning(i)).map((url) => probe(url, "/readyz", cluster.caPem, 3000)));
    return answers.every((a) => a.status === 200) ? true : undefined;
  }, 200);
  return Date.now() - started;
}

interface AuditPage {
  items: { seq: number; resource: { name?: string } | null }[];
  metadata: { continue?: string };
}

/** How many audit entries of `type` name each object (certificates.issued, secrets.rotated, …). */
export async function auditCounts(client: RestClient, type: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let afterSeq = 0; ; ) {
    const page = await client.requestJson<AuditPage>({ method: "GET", path: "/apis/audit.clawbernetes.com/v1/events", query: { type, afterSeq, limit: 1000 } });
    for (const entry of page.items) {
      const name = entry.resource?.name;
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    if (!page.metadata.continue) return counts;
    afterSeq = Number(page.metadata.continue);
  }
}
