// hack/bench/apply: creates/s through the API (HTTPS, authenticated, validated, 64 in flight) on each
// backend, beside raw Store creates/s measured in the same run on the same kind of store, and their ratio.
//
//   npm run build && node dist/hack/bench/apply.js [--count 5000] [--concurrency 64] [--backend sqlite|etcd|both]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { KubeObject } from "../../api/machinery/meta.js";
import { openEtcdStore } from "../../api/store/etcd-store.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";
import { startEtcd } from "../etcd/etcd-server.js";
import { adminClient } from "../testing/admin-client.js";
import { startClawServer } from "../testing/claw-process.js";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "64" },
    backend: { type: "string", default: "both" },
  },
});
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

const role = (name: string): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name, labels: { bench: "apply" } },
  spec: { description: "benchmark role", permissions: ["workloads:*", "nodes:read,list"] },
});

async function rawPuts(store: Store, prefix: string): Promise<number> {
  const value = JSON.stringify(role("raw"));
  return rate((i) => store.create(`${prefix}raw-${i}`, value));
}

async function apiCreates(serverArgs: string[], dataDir: string): Promise<number> {
  // The controllers would write each new Role's status too: that is another workload, so they are off here.
  const server = await startClawServer({ dataDir, extraArgs: [...serverArgs, "--controllers=false"] });
  const client = await adminClient(server.adminConfig, { maxConnections: concurrency });
  try {
    await rate((i) => client.create("roles", role(`warm-${i}`)).then(() => undefined)).catch(() => undefined);
    return await rate((i) => client.create("roles", role(`bench-${i}`)));
  } finally {
    await client.close();
    await server.stop();
  }
}

function report(backend: string, raw: number, api: number): void {
  console.log(`${backend.padEnd(8)} raw store creates/s: ${raw.toFixed(0).padStart(7)}   API creates/s: ${api.toFixed(0).padStart(7)}   ratio API/raw: ${(api / raw).toFixed(3)}`);
}

const home = mkdtempSync(join(tmpdir(), "claw-bench-apply-"));
console.log(`hack/bench/apply: ${count} creates, ${concurrency} in flight, node ${process.version}`);
try {
  if (values.backend !== "etcd") {
    const store = openSqliteStore({ path: join(home, "raw.db") });
    const raw = await rawPuts(store, "/bench/");
    await store.close();
    const api = await apiCreates([], join(home, "sqlite-server"));
    report("sqlite", raw, api);
  }
  if (values.backend !== "sqlite") {
    const etcd = await startEtcd();
    try {
      const store = openEtcdStore({ endpoints: etcd.endpoints });
      const raw = await rawPuts(store, "/bench/");
      await store.close();
      const api = await apiCreates(["--etcd-endpoints", etcd.endpoints.join(",")], join(home, "etcd-server"));
      report("etcd", raw, api);
    } finally {
      await etcd.stop();
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
