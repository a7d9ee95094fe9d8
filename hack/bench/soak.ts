// hack/bench/soak: the embedded store under steady churn for --minutes (30). One `claw server` in a child process
// (TLS, auth, RBAC, audit on, controllers off; [store] compaction_interval_seconds = --compact-seconds), and a
// load of --rate writes a second through the API, mixed as a live cluster's: 40 % spec updates (merge patch),
// 20 % status writes (merge patch of /status), 20 % creates and 20 % deletes of short-lived objects, over
// --objects long-lived Roles. Every minute it prints the DB and WAL file sizes, the server's RSS, and that
// minute's writes, errors and write latency p50/p99/max (the max includes any pause compaction, vacuum or a
// checkpoint caused); at the end, a summary: does the database stop growing, and the worst pause.
//
//   npm run bench:soak -- [--minutes 30] [--rate 200] [--objects 2000] [--compact-seconds 60] [--no-audit]

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { KubeObject } from "../../api/machinery/meta.js";
import { adminClient } from "../testing/admin-client.js";
import { startClawServer } from "../testing/claw-process.js";
import { summarize } from "./reconcile-latency.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    rate: { type: "string", default: "200" },
    objects: { type: "string", default: "2000" },
    "compact-seconds": { type: "string", default: "60" },
    "no-audit": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: node dist/hack/bench/soak.js [--minutes 30] [--rate 200] [--objects 2000] [--compact-seconds 60] [--no-audit]");
  process.exit(0);
}
const MINUTES = Number(values.minutes);
const RATE = Number(values.rate);
const OBJECTS = Number(values.objects);
const COMPACT_SECONDS = Number(values["compact-seconds"]);
/** Without the audit log, what is left is the store's own history: the audit log grows by design (retention_days, 365 by default). */
const AUDIT = !values["no-audit"];
/** Deletes trail the creates by this many objects, so a delete never races its object's create. */
const DELETE_LAG = 200;
const now = () => performance.now();
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};
const rssBytes = (pid: number | undefined) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) * 1024;
const role = (name: string, description: string): KubeObject => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name, labels: { bench: "soak" } }, spec: { description, permissions: ["nodes:read"] } });
const longLived = (i: number) => `soak-${String(i).padStart(5, "0")}`;

type Op = "update" | "status" | "create" | "delete";
const MIX: Op[] = ["update", "update", "status", "create", "delete"];

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "claw-bench-soak-"));
  const config = join(dataDir, "gateway.toml");
  writeFileSync(config, `[store]\ncompaction_interval_seconds = ${COMPACT_SECONDS}\n${AUDIT ? "" : "[audit]\nenabled = false\n"}`);
  const server = await startClawServer({ dataDir, extraArgs: ["--config", config, "--controllers=false"], timeoutMs: 60_000 });
  const client = await adminClient(server.adminConfig, { maxConnections: 128 });
  const db = join(dataDir, "store.db");
  try {
    console.log(`hack/bench/soak: ${MINUTES} min of ${RATE} writes/s (40 % updates, 20 % status, 20 % creates, 20 % deletes) over ${OBJECTS} Roles; compaction every ${COMPACT_SECONDS} s; audit ${AUDIT ? "on" : "off"}; node ${process.version}`);
    for (let i = 0; i < OBJECTS; i += 64) await Promise.all(Array.from({ length: Math.min(64, OBJECTS - i) }, (_, j) => client.create("roles", role(longLived(i + j), "v0"))));
    console.log(`created ${OBJECTS} Roles; db ${mib(size(db))}, wal ${mib(size(`${db}-wal`))}`);
    console.log("minute   writes  errors   p50 ms   p99 ms   max ms      db        wal       rss");

    let seq = 0;
    let created = 0;
    let deleted = 0;
    let latencies: number[] = [];
    let errors = 0;
    const all: number[] = [];
    const dbSizes: number[] = [];
    let maxWal = 0;
    const write = async (op: Op): Promise<void> => {
      const n = seq++;
      const name = longLived(n % OBJECTS);
      if (op === "update") await client.patch("roles", name, { spec: { description: `v${n}` } }, { type: "merge" });
      else if (op === "status") await client.patch("roles", name, { status: { conditions: [{ type: "Ready", status: n % 2 ? "True" : "False", reason: "Soak", message: `write ${n}`, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") }] } }, { type: "merge", subresource: "status" });
      else if (op === "create") await client.create("roles", role(`soak-tmp-${created++}`, `tmp ${n}`));
      // Deletes trail the creates, so the live set stays about the same size.
      else if (deleted < created - DELETE_LAG) await client.delete("roles", `soak-tmp-${deleted++}`);
    };
    const started = now();
    const inflight = new Set<Promise<void>>();
    for (let minute = 1; minute <= MINUTES; minute++) {
      const end = started + minute * 60_000;
      for (let i = 0; now() < end; i++) {
        const due = started + (seq * 1000) / RATE;
        const wait = due - now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, end - now())));
        if (now() >= end) break;
        const sent = now();
        const p = write(MIX[seq % MIX.length]!).then(
          () => void latencies.push(now() - sent),
          () => void errors++,
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      const l = summarize(latencies);
      all.push(...latencies);
      const dbBytes = size(db);
      const walBytes = size(`${db}-wal`);
      dbSizes.push(dbBytes);
      maxWal = Math.max(maxWal, walBytes);
      console.log(`${String(minute).padStart(6)} ${String(l.count).padStart(8)} ${String(errors).padStart(7)} ${l.p50.toFixed(1).padStart(8)} ${l.p99.toFixed(1).padStart(8)} ${l.max.toFixed(1).padStart(8)}  ${mib(dbBytes).padStart(9)} ${mib(walBytes).padStart(9)} ${mib(rssBytes(server.child.pid)).padStart(9)}`);
      latencies = [];
      errors = 0;
    }
    await Promise.all(inflight);
    const total = summarize(all);
    const later = dbSizes.slice(Math.min(dbSizes.length - 1, Math.ceil((COMPACT_SECONDS * 2) / 60)));
    console.log("");
    console.log(`summary: ${total.count} writes in ${MINUTES} min (${(total.count / (MINUTES * 60)).toFixed(0)}/s); write latency p50 ${total.p50.toFixed(1)} ms, p99 ${total.p99.toFixed(1)} ms, max ${total.max.toFixed(1)} ms (the longest pause, maintenance included)`);
    console.log(`db ${mib(dbSizes[0] ?? 0)} after minute 1 → ${mib(dbSizes.at(-1) ?? 0)} at the end; after compaction began (minute ${dbSizes.length - later.length + 1}+): min ${mib(Math.min(...later))}, max ${mib(Math.max(...later))}; largest WAL seen ${mib(maxWal)}`);
  } finally {
    await client.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`soak: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
