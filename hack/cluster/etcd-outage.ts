// etcd member losses under a steady load of writes, reads and watches through every server, measured: the
// requests that failed even after a retry when one member of three dies; the answers (status, time) while two
// are down, and how long after they return every server is ready again.

import type { RestClient } from "../../api/client/rest-client.js";
import type { LocalCluster } from "./cluster.js";
import { followRoles, startSteadyLoad, type FollowedWatch, type RequestRecord } from "./load.js";
import { allReady, probe } from "./probes.js";
import { pause } from "./processes.js";

/**
 * The load's clients are ordinary claw clients: a 503 with Retry-After (the store out of reach during the
 * election) is sent again by the client itself, as kubectl does; the load's own one retry comes on top.
 */
export interface OneMemberLoss {
  member: number;
  requests: number;
  /** First attempts that failed (each retried once). */
  retried: number;
  /** Failed after the retry too: what a client would have seen. */
  failed: RequestRecord[];
  created: number;
}

/** SIGKILLs the etcd member that leads the raft group for `downMs` while every server takes writes and reads. */
export async function loseOneMember(cluster: LocalCluster, clients: readonly RestClient[], opts: { prefix: string; downMs: number }): Promise<OneMemberLoss> {
  const member = (await cluster.etcd.leaderIndex()) ?? 0;
  const load = startSteadyLoad(clients, { prefix: opts.prefix });
  let report;
  try {
    await pause(1_000);
    await cluster.stopMember(member, "SIGKILL");
    await pause(opts.downMs);
    cluster.startMember(member);
    await cluster.etcd.waitHealthy(member);
    await pause(1_000);
  } finally {
    report = await load.stop();
  }
  return { member, requests: report.records.length, retried: report.records.filter((r) => !r.ok).length - report.failed.length, failed: report.failed, created: report.created.length };
}

export interface QuorumLoss {
  outageMs: number;
  /** When the two members were killed and when they were started again (ms since the epoch). */
  lostAt: number;
  returnedAt: number;
  /** Every request sent while two members were down (some answered after they returned). */
  during: RequestRecord[];
  /** Those answered before etcd returned. */
  answeredDuring: RequestRecord[];
  /** /readyz of every server at the end of the outage. */
  readyz: number[];
  /** From restarting the two members to every server answering /readyz 200. */
  readyAfterMs: number;
  /** Roles acknowledged as created during the run (before, during, after). */
  created: string[];
  /** One per server, following the load's Roles from before the outage; stop them when done. */
  watches: FollowedWatch[];
}

/** SIGKILLs two members of three for `outageMs` under a steady load and watches, then starts them again. */
export async function loseQuorum(cluster: LocalCluster, clients: readonly RestClient[], opts: { prefix: string; outageMs: number }): Promise<QuorumLoss> {
  const down = cluster.etcd.specs.map((_, i) => i).slice(1, 3);
  const before = await clients[0]!.list("roles", { limit: 1 });
  const watches = clients.map((c) => followRoles(c, before.metadata.resourceVersion!, { labelSelector: "load=steady" }));
  // Without quorum every request is refused anyway: retry soon, so the outage sees many requests and their times;
  // and the clients show every 503 rather than retrying it themselves, since the server's answers are measured here.
  const raw = clients.map((_, i) => cluster.client(i, { unavailableRetries: 0 }));
  const load = startSteadyLoad(raw, { prefix: opts.prefix, pauseMs: 50, retryDelayMs: 250 });
  let report;
  let lostAt = 0;
  let returnedAt = 0;
  let readyz: number[] = [];
  let readyAfterMs = -1;
  try {
    await pause(1_000);
    await Promise.all(down.map((m) => cluster.stopMember(m, "SIGKILL")));
    lostAt = Date.now();
    await pause(opts.outageMs);
    readyz = (await Promise.all(cluster.urls().map((url) => probe(url, "/readyz", cluster.caPem)))).map((r) => r.status);
    for (const m of down) cluster.startMember(m);
    returnedAt = Date.now();
    readyAfterMs = await allReady(cluster, 60_000);
    await pause(1_000);
  } catch (err) {
    await Promise.all(watches.map((w) => w.stop()));
    throw err;
  } finally {
    report = await load.stop();
    await Promise.all(raw.map((c) => c.close()));
  }
  const during = report.records.filter((r) => r.at >= lostAt && r.at < returnedAt);
  return { outageMs: opts.outageMs, lostAt, returnedAt, during, answeredDuring: during.filter((r) => r.at + r.ms < returnedAt), readyz, readyAfterMs, created: report.created, watches };
}

export function countBy(values: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
