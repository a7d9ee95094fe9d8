// hack/bench/apply: creates/s through the API (HTTPS, authenticated, validated, audited: each create commits
// with its resource.created entry; 64 in flight) on each backend, beside raw Store creates/s of objects of
// the same size measured in the same run on the same kind of store, and their ratio; and beside an HTTPS
// server that only echoes each create (hack/bench/https-echo.ts), the ceiling of any HTTPS path on this
// machine with the load generator on the same cores. Objects are about
// --object-bytes (1 KiB) as stored. Afterwards it reads the audit batches from the store: entries per batch
// is how many writes the chain writer grouped into each transaction.
//
//   npm run build && node dist/hack/bench/apply.js [--count 5000] [--concurrency 64] [--object-bytes 1024] [--backend sqlite|etcd|both]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { KubeObject } from "../../api/machinery/meta.js";
import { openEtcdStore } from "../../api/store/etcd-store.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";
import { BatchStore } from "../../api/audit/batch-store.js";
import { startEtcd } from "../etcd/etcd-server.js";
import { adminClient } from "../testing/admin-client.js";
import { startClawServer } from "../testing/claw-process.js";
import { RestClient } from "../../api/client/rest-client.js";
import { startEchoServer } from "./https-echo.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "64" },
    backend: { type: "string", default: "both" },
    "object-bytes": { type: "string", default: "1024" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("usage: node dist/hack/bench/apply.js [--count 5000] [--concurrency 64] [--object-bytes 1024] [--backend sqlite|etcd|both]");
  process.exit(0);
}
const objectBytes = Number(values["object-bytes"]);
const count = Number(values.count);
const concurrency = Number(values.concurrency);

/** Runs `op(i)` for i in [0, count) with `concurrency` in flight; returns operations per second. */
async function rate(op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

const roleOf = (name: string, description: string): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name, labels: { bench: "apply" } },
  spec: { description, permissions: ["workloads:*", "nodes:read,list"] },
});
/**
 * What the server stores for a create adds uid, creationTimestamp, generation and managedFields (about
 * 430 bytes): the description is padded so the stored object is about objectBytes.
 */
const STORED_OVERHEAD = 428;
const padding = "x".repeat(Math.max(0, objectBytes - STORED_OVERHEAD - JSON.stringify(roleOf("bench-00000", "")).length));
const role = (name: string): KubeObject => roleOf(name, padding);

async function rawPuts(store: Store, prefix: string): Promise<number> {
  // The raw value is the size of what the API server stores for one create.
  const value = JSON.stringify(role("raw")) + " ".repeat(STORED_OVERHEAD);
  return rate((i) => store.create(`${prefix}raw-${i}`, value));
}

/** The size of one stored bench object, and audit entries per batch (= writes per transaction) in that store. */
async function inspect(store: Store): Promise<string> {
  const sample = await store.get("/registry/security.clawbernetes.com/roles/bench-0");
  const batches = new BatchStore(store);
  const first = (await batches.firstBatch()) ?? 1;
  let count = 0;
  let entries = 0;
  let created = 0;
  for await (const record of batches.batchesFrom(first, 50)) {
    count++;
    entries += record.entries.length;
    created += record.entries.filter((e) => e.type === "resource.created" && e.resource?.name?.startsWith("bench-")).length;
  }
  return `stored object ${sample?.value.length ?? "?"} B; audit: ${count} batches, ${entries} entries (${created} bench creates), ${(entries / Math.max(count, 1)).toFixed(1)} entries/batch`;
}

async function apiCreates(serverArgs: string[], dataDir: string): Promise<number> {
  // The controllers would write each new Role's status too: that is another workload, so they are off here.
  const server = await startClawServer({ dataDir, extraArgs: [...serverArgs, "--controllers=false"] });
  const client = await adminClient(server.adminConfig, { maxConnections: concurrency });
  try {
    await rate((i) => client.create("roles", role(`warm-${i}`)).then(() => undefined)).catch(() => undefined);
    return await measured("API", (i) => client.create("roles", role(`bench-${i}`)));
  } finally {
    await client.close();
    await server.stop();
  }
}

/** `rate(op)`, printing the load generator's own CPU per operation (it shares the machine with the server). */
async function measured(what: string, op: (i: number) => Promise<unknown>): Promise<number> {
  const cpu = process.cpuUsage();
  const result = await rate(op);
  const used = process.cpuUsage(cpu);
  console.log(`         ${what}: load generator CPU ${((used.user + used.system) / 1000 / count).toFixed(3)} ms per create`);
  return result;
}

/**
 * The same creates, from the same kind of client, against an HTTPS server in its own process that only
 * parses the body, stamps a uid and answers 201 (hack/bench/https-echo.ts): the most this machine gives
 * any HTTPS create path with its load generator on the same cores.
 */
async function echoCreates(): Promise<number> {
  const echo = await startEchoServer();
  const client = new RestClient({ server: echo.url, tls: { ca: echo.ca }, maxConnections: concurrency });
  try {
    await rate((i) => client.create("roles", role(`warm-${i}`)));
    return await measured("HTTPS echo", (i) => client.create("roles", role(`bench-${i}`)));
  } finally {
    await client.close();
    await echo.stop();
  }
}

function report(backend: string, raw: number, api: number, echo: number, detail: string): void {
  console.log(`${backend.padEnd(8)} raw store creates/s: ${raw.toFixed(0).padStart(7)}   API creates/s: ${api.toFixed(0).padStart(7)}   ratio API/raw: ${(api / raw).toFixed(3)}`);
  console.log(`${"".padEnd(8)} HTTPS echo baseline creates/s: ${echo.toFixed(0).padStart(7)}   ratio API/echo: ${(api / echo).toFixed(3)}`);
  console.log(`${"".padEnd(8)} ${detail}`);
}

const home = mkdtempSync(join(tmpdir(), "claw-bench-apply-"));
console.log(`hack/bench/apply: ${count} creates of ~${objectBytes} B objects, ${concurrency} in flight, HTTPS + bearer auth + validation + audit, node ${process.version}`);
try {
  if (values.backend !== "etcd") {
    const store = openSqliteStore({ path: join(home, "raw.db") });
    const raw = await rawPuts(store, "/bench/");
    await store.close();
    const api = await apiCreates([], join(home, "sqlite-server"));
    const after = openSqliteStore({ path: join(home, "sqlite-server", "store.db") });
    const detail = await inspect(after);
    await after.close();
    report("sqlite", raw, api, await echoCreates(), detail);
  }
  if (values.backend !== "sqlite") {
    const etcd = await startEtcd();
    try {
      const store = openEtcdStore({ endpoints: etcd.endpoints });
      const raw = await rawPuts(store, "/bench/");
      await store.close();
      const api = await apiCreates(["--etcd-endpoints", etcd.endpoints.join(",")], join(home, "etcd-server"));
      const after = openEtcdStore({ endpoints: etcd.endpoints });
      const detail = await inspect(after);
      await after.close();
      report("etcd", raw, api, await echoCreates(), detail);
    } finally {
      await etcd.stop();
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
