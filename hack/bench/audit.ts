// hack/bench/audit: entries/s appended durably (acknowledged only after the store's commit) with the hash
// chain and Ed25519 checkpoints, then the time to verify the whole stored log (hashes, links, signatures).
// Targets: >= 20,000 entries/s appended; 1,000,000 entries verified in <= 10 s.
//
//   npx tsc -p tsconfig.build.json && node dist/hack/bench/audit.js [--count 1000000] [--concurrency 1024] [--backend sqlite|etcd]

import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultAuditConfig } from "../../api/audit/audit-config.js";
import { AuditLog } from "../../api/audit/audit-log.js";
import { ephemeralSigner, parsePublicKeys } from "../../api/client/audit/checkpoint.js";
import type { AuditEvent } from "../../api/client/audit/event.js";
import { verifyLog } from "../../api/client/audit/verify-log.js";
import { storeBatchSource } from "../../api/audit/batch-store.js";
import { systemClock } from "../../api/machinery/clock.js";
import { openEtcdStore } from "../../api/store/etcd-store.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";
import { startEtcd, type EtcdServer } from "../etcd/etcd-server.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "1000000" },
    concurrency: { type: "string", default: "1024" },
    backend: { type: "string", default: "sqlite" },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);

/** A typical entry: a resource change by a user, with a small details object (about 400 bytes stored). */
const event = (i: number): AuditEvent => ({
  type: "resource.updated",
  actor: `user:user${i % 50}`,
  sourceIp: `10.0.${(i >> 8) & 255}.${i & 255}`,
  resource: { group: "security.clawbernetes.com", kind: "Role", name: `role-${i % 1000}` },
  outcome: "success",
  details: { verb: "update", fieldManager: "kubectl-client-side-apply" },
});

const home = mkdtempSync(join(tmpdir(), "claw-bench-audit-"));
let etcd: EtcdServer | undefined;
let store: Store;
if (values.backend === "etcd") {
  etcd = await startEtcd();
  store = openEtcdStore({ endpoints: etcd.endpoints });
} else {
  store = openSqliteStore({ path: join(home, "store.db") });
}
const signer = ephemeralSigner();
const config = defaultAuditConfig(home);
const log = new AuditLog({ store, clock: systemClock, config, signer });
console.log(`hack/bench/audit: ${count} entries, ${concurrency} appends in flight, ${values.backend} store, checkpoint every ${config.checkpointEvery} entries and ${config.checkpointIntervalMs / 1000} s, node ${process.version}`);
try {
  await log.start();
  let next = 0;
  const appendCpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await log.append(event(next++));
    }),
  );
  await log.stop(); // signs the head: the whole log is covered by checkpoints
  const appendSeconds = (performance.now() - started) / 1000;
  const appendCpuUsed = process.cpuUsage(appendCpu);
  const s = log.stats;
  console.log(
    `append: ${(count / appendSeconds).toFixed(0)} entries/s durably (${appendSeconds.toFixed(2)} s; ${s.batches} batches of ${(s.appended / s.batches).toFixed(0)} entries on average, ${s.checkpoints} signed checkpoints, ${s.conflicts} conflicts; CPU time ${((appendCpuUsed.user + appendCpuUsed.system) / 1e6).toFixed(2)} s)`,
  );

  const trustedKeys = parsePublicKeys(signer.publicKeyPem, "bench");
  for (const mode of ["in order (1 thread)", `on ${Math.min(4, availableParallelism())} worker threads`]) {
    const cpuBefore = process.cpuUsage();
    const verifyStarted = performance.now();
    const report = await verifyLog(storeBatchSource(log.batches), { trustedKeys, checkSignatures: true, ...(mode.startsWith("on") ? { parallel: {} } : {}) });
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    if (!report.ok) throw new Error(`verification failed: ${JSON.stringify(report.failure)}`);
    console.log(
      `verify ${mode}: ${report.entries} entries in ${verifySeconds.toFixed(2)} s = ${(report.entries / verifySeconds).toFixed(0)} entries/s (${report.checkpoints} signatures checked; 1,000,000 entries would take ${((1_000_000 / report.entries) * verifySeconds).toFixed(2)} s; CPU time of this thread ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s)`,
    );
  }
} finally {
  await store.close();
  await etcd?.stop();
  rmSync(home, { recursive: true, force: true });
}
