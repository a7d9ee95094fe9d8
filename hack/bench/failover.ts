// hack/bench/failover: a real cluster on this machine (hack/cluster: three etcd members, three claw servers).
//   (a) --kills SIGKILLs of the server whose controllers lead (Lease claw-controller-manager), each time measuring
//       the time until another server's controllers act (a BlockRule that expired after the kill is marked
//       Expired); the killed server is started again before the next round. Target: each ≤ 15 s.
//       Afterwards: any Certificate issued twice or Secret rotated twice (audit entries) across the failovers.
//   (b) one etcd member of three (the raft leader) SIGKILLed for 5 s under a steady load through every server:
//       requests that failed even after one retry.
//   (c) two members of three down for --outage seconds (30 by default, the R2) under writes and
//       watches: the status and p50/p99/max time of the answers, /readyz, the time until every server is
//       ready after etcd returns, and whether every watcher saw every create once without a relist.
//
//   npm run bench:failover -- [--kills 10] [--outage 30]

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LocalCluster } from "../cluster/cluster.js";
import { countBy, loseOneMember, loseQuorum } from "../cluster/etcd-outage.js";
import { doneTwice, killLeaderAndMeasure, type FailoverResult } from "../cluster/failover.js";
import { percentile } from "../cluster/load.js";
import { auditCounts, until } from "../cluster/probes.js";

const { values } = parseArgs({ options: { kills: { type: "string", default: "10" }, outage: { type: "string", default: "30" } } });
const kills = Number(values.kills);
const outageMs = Number(values.outage) * 1000;

const cluster = await LocalCluster.start({ dir: mkdtempSync(join(tmpdir(), "claw-bench-failover-")) });
const clients = cluster.urls().map((_, i) => cluster.client(i));
let failed = false;
try {
  console.log(`cluster: etcd ${cluster.etcd.endpoints().join(" ")}; servers ${cluster.urls().join(" ")}`);

  const results: FailoverResult[] = [];
  for (let round = 0; round < kills; round++) {
    const r = await killLeaderAndMeasure(cluster, { round });
    results.push(r);
    console.log(`kill ${round + 1}/${kills}: server ${r.killed} (leader) SIGKILLed; server ${r.successor}'s controllers acted after ${r.timeToActMs} ms`);
  }
  const times = results.map((r) => r.timeToActMs);
  const longest = Math.max(...times);
  console.log(`controller failover: time to act p50 ${percentile(times, 50)} ms, longest ${longest} ms (target ≤ 15000 ms)${longest > 15_000 ? " — OVER TARGET" : ""}`);
  const issued = await auditCounts(clients[0]!, "certificates.issued");
  const rotated = await auditCounts(clients[0]!, "secrets.rotated");
  const twiceIssued = doneTwice(issued, results.flatMap((r) => r.certificates));
  const twiceRotated = doneTwice(rotated, results.flatMap((r) => r.secrets));
  console.log(`double work: ${twiceIssued.length} of ${results.flatMap((r) => r.certificates).length} certificates issued twice, ${twiceRotated.length} of ${results.length} secrets rotated twice`);
  failed ||= longest > 15_000 || twiceIssued.length > 0 || twiceRotated.length > 0;

  const one = await loseOneMember(cluster, clients, { prefix: "bench-one-down", downMs: 5_000 });
  console.log(`one etcd member (${one.member}, the raft leader) lost for 5 s: ${one.requests} requests, ${one.retried} retried once, ${one.failed.length} failed after the retry`);
  for (const f of one.failed) console.log(`  failed through server ${f.server}: ${f.status || "no answer"} after ${f.ms} ms`);
  failed ||= one.failed.length > 0;

  const outage = await loseQuorum(cluster, clients, { prefix: "bench-outage", outageMs });
  try {
    const answerMs = outage.answeredDuring.map((r) => r.ms);
    const allMs = outage.during.map((r) => r.ms);
    console.log(
      `two etcd members lost for ${outageMs / 1000} s: ${outage.during.length} requests; answered during the outage: ${JSON.stringify(countBy(outage.answeredDuring.map((r) => r.status)))}, ` +
        `p50 ${percentile(answerMs, 50)} ms, p99 ${percentile(answerMs, 99)} ms, max ${Math.max(0, ...allMs)} ms; /readyz ${outage.readyz.join(",")}`,
    );
    console.log(`every server ready again ${outage.readyAfterMs} ms after etcd returned`);
    const created = outage.created.filter((n) => n.startsWith("bench-outage-"));
    await until("every watcher to see every acknowledged create", 30_000, async () => (outage.watches.every((w) => created.every((n) => w.added.includes(n))) ? true : undefined), 200).catch(() => undefined);
    outage.watches.forEach((w, i) => {
      const mine = w.added.filter((n) => n.startsWith("bench-outage-"));
      const missed = created.filter((n) => !mine.includes(n)).length;
      console.log(`watch through server ${i}: ${mine.length} creates seen of ${created.length} (${missed} missed, ${mine.length - new Set(mine).size} repeated), resumed ${w.resumes} times, ${w.gone} relists (410)`);
      failed ||= missed > 0 || w.gone > 0 || mine.length !== new Set(mine).size;
    });
    failed ||= Math.max(0, ...allMs) >= 5_000 || outage.answeredDuring.some((r) => r.status !== 503);
  } finally {
    await Promise.all(outage.watches.map((w) => w.stop()));
  }
} finally {
  await cluster.stop();
  await Promise.all(clients.map((c) => c.close()));
}
if (failed) process.exitCode = 1;
