// SIGKILL a real `claw server` during concurrent resource writes, then open its store directly: every
// acknowledged object is there with its resource.created entry, no entry names an absent object, and
// the chain (hashes, links, signatures against the server's own public key) verifies.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BatchStore, storeBatchSource } from "../api/audit/batch-store.js";
import { PUBLIC_KEY_FILE } from "../api/audit/signing-key-files.js";
import { parsePublicKeys } from "../api/client/audit/checkpoint.js";
import { verifyLog } from "../api/client/audit/verify-log.js";
import type { KubeObject } from "../api/machinery/meta.js";
import { openSqliteStore } from "../api/store/sqlite-store.js";
import { adminClient } from "../hack/testing/admin-client.js";
import { startClawServer } from "../hack/testing/claw-process.js";

const home = mkdtempSync(join(tmpdir(), "claw-audit-kill-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const role = (name: string): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name },
  spec: { description: "audit kill probe", permissions: ["nodes:read"] },
});
const ROLE_PREFIX = "/registry/security.clawbernetes.com/roles/";

describe("kill -9 during concurrent writes", () => {
  it("keeps every acknowledged object with its audit entry, no entry without its object, and a chain that verifies", async () => {
    const dataDir = join(home, "data");
    const server = await startClawServer({ dataDir, extraArgs: ["--controllers=false"] });
    const client = await adminClient(server.adminConfig, { maxConnections: 32 });
    const acknowledged: string[] = [];
    const attempted: string[] = [];
    let next = 0;
    let killed = false;
    // 32 writers; the kill lands while every one of them has a create in flight.
    const writer = async () => {
      while (!killed) {
        const name = `akill-${next++}`;
        attempted.push(name);
        try {
          await client.create("roles", role(name));
          acknowledged.push(name);
          if (acknowledged.length === 300 && !killed) {
            killed = true;
            await server.kill();
          }
        } catch (err) {
          if (killed) return;
          throw new Error(`create ${name} failed before the kill: ${(err as Error).message}\n${server.output()}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, writer));
    await client.close();
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);

    const store = await openSqliteStore({ path: join(dataDir, "store.db") });
    try {
      const present = new Set<string>();
      for (let startAfter: string | undefined; ; ) {
        const page = await store.list(ROLE_PREFIX, { limit: 500, ...(startAfter ? { startAfter } : {}) });
        for (const kv of page.items) present.add(kv.key.slice(ROLE_PREFIX.length));
        if (!page.more) break;
        startAfter = page.items.at(-1)!.key;
      }
      expect(acknowledged.filter((n) => !present.has(n))).toEqual([]);

      const batches = new BatchStore(store);
      const created = new Map<string, number>();
      for await (const record of batches.batchesFrom((await batches.firstBatch()) ?? 1))
        for (const e of record.entries) if (e.type === "resource.created" && e.resource?.name?.startsWith("akill-")) created.set(e.resource.name, (created.get(e.resource.name) ?? 0) + 1);
      // Every acknowledged object has exactly one entry; no entry names an object that is absent.
      expect(acknowledged.filter((n) => created.get(n) !== 1)).toEqual([]);
      expect([...created.keys()].filter((n) => !present.has(n))).toEqual([]);
      // And the other way: every akill- object present (acknowledged or not) has its entry.
      expect([...present].filter((n) => n.startsWith("akill-") && !created.has(n))).toEqual([]);
      // Unacknowledged attempts may or may not have landed, but only as a pair.
      expect(attempted.length).toBeGreaterThan(acknowledged.length);

      const keys = parsePublicKeys(readFileSync(join(dataDir, "audit", PUBLIC_KEY_FILE), "utf8"), PUBLIC_KEY_FILE);
      const report = await verifyLog(storeBatchSource(batches), { trustedKeys: keys, checkSignatures: true });
      expect(report.ok, JSON.stringify(report.failure)).toBe(true);
      expect(report.entries).toBeGreaterThanOrEqual(acknowledged.length);
    } finally {
      await store.close();
    }
  }, 120_000);
});
