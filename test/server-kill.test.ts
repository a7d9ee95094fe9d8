// SIGKILL the real server during concurrent creates: every create it acknowledged is there after restart.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../api/machinery/meta.js";
import { CliHarness } from "../cmd/cli/testing/cli-harness.js";
import { adminClient } from "../hack/testing/admin-client.js";
import { startClawServer } from "../hack/testing/claw-process.js";

const home = mkdtempSync(join(tmpdir(), "claw-kill-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const role = (name: string): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name },
  spec: { description: "durability probe", permissions: ["nodes:read"] },
});

describe("durability of the embedded store", () => {
  it("finds every acknowledged create, and its audit entry in a chain that verifies, after a SIGKILL mid-stream", async () => {
    const dataDir = join(home, "data");
    const first = await startClawServer({ dataDir });
    const client = await adminClient(first.adminConfig, { maxConnections: 32 });
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    // 32 writers create roles until the server dies under them; the kill lands once 400 are acknowledged.
    const writer = async () => {
      while (!killed) {
        const name = `kill-${next++}`;
        try {
          await client.create("roles", role(name));
          acknowledged.push(name);
          if (acknowledged.length === 400 && !killed) {
            killed = true;
            await first.kill();
          }
        } catch {
          if (killed) return;
          throw new Error(`create ${name} failed before the kill`);
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, writer));
    await client.close();
    expect(acknowledged.length).toBeGreaterThanOrEqual(400);

    const second = await startClawServer({ dataDir });
    try {
      const after = await adminClient(second.adminConfig);
      const names = new Set((await after.list("roles")).items.map((r) => r.metadata.name));
      const lost = acknowledged.filter((n) => !names.has(n));
      expect(lost).toEqual([]);
      // Each acknowledged create was audited before it was acknowledged, and the chain still verifies.
      const audited = new Set<string>();
      for (let afterSeq = 0; ; ) {
        const page = await after.requestJson<{ items: { seq: number; resource: { name?: string } | null }[]; metadata: { continue?: string } }>({
          method: "GET",
          path: "/apis/audit.clawbernetes.com/v1/events",
          query: { type: "resource.created", afterSeq, limit: 1000 },
        });
        for (const e of page.items) if (e.resource?.name) audited.add(e.resource.name);
        if (!page.metadata.continue) break;
        afterSeq = Number(page.metadata.continue);
      }
      expect(acknowledged.filter((n) => !audited.has(n))).toEqual([]);
      const cli = await CliHarness.create();
      const verify = await cli.run(["audit", "verify"], { env: { CLAW_CONFIG: second.adminConfig } });
      await cli.dispose();
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      expect(verify.stderr).toMatch(/^warning: checking signatures against /);
      await after.close();
    } finally {
      await second.stop();
    }
  }, 120_000);
});
