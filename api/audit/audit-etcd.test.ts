// One total order with several servers on one etcd: two AuditLogs, each with its own etcd client and
// signing key, append concurrently; the result is one chain, with every acknowledged entry exactly once.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireEtcd } from "../../hack/etcd/etcd-binary.js";
import { startEtcd, type EtcdServer } from "../../hack/etcd/etcd-server.js";
import { systemClock } from "../machinery/clock.js";
import { openEtcdStore } from "../store/etcd-store.js";
import { AuditReader } from "./audit-reader.js";
import { parsePublicKeys } from "../client/audit/checkpoint.js";
import { startTestLog, type TestLog } from "./testing/audit-fixture.js";
import { verifyLog } from "../client/audit/verify-log.js";
import { storeBatchSource } from "./batch-store.js";

const etcd = requireEtcd();
const PER_SERVER = 600;
const IN_FLIGHT = 24;

describe.skipIf(!etcd.available)("audit log on etcd with two servers", () => {
  let server: EtcdServer;
  beforeAll(async () => {
    server = await startEtcd();
  }, 30_000);
  afterAll(async () => server?.stop());

  it("appends concurrently from two servers into one chain that verifies, losing and duplicating nothing", async () => {
    const prefix = `/audit-${randomUUID()}`;
    const stores = [openEtcdStore({ endpoints: server.endpoints, prefix }), openEtcdStore({ endpoints: server.endpoints, prefix })];
    const logs: TestLog[] = [];
    for (const store of stores) logs.push(await startTestLog({ store, clock: systemClock, config: (c) => (c.checkpointEvery = 100) }));
    const acked: { server: number; seq: number; n: number }[] = [];
    await Promise.all(
      logs.flatMap((t, server) => {
        let next = 0;
        return Array.from({ length: IN_FLIGHT }, async () => {
          while (next < PER_SERVER) {
            const n = next++;
            const { seq } = await t.log.append({ type: "resource.created", actor: `server-${server}`, outcome: "success", details: { n } });
            acked.push({ server, seq: seq!, n });
          }
        });
      }),
    );
    for (const t of logs) await t.log.stop();

    // Both servers won batches, and the loser of each race renumbered onto the winner.
    expect(logs.map((t) => t.log.stats.batches).every((b) => b > 0)).toBe(true);
    expect(logs[0]!.log.stats.conflicts + logs[1]!.log.stats.conflicts).toBeGreaterThan(0);
    // Every acknowledged seq is distinct and the seqs are exactly 1..2*PER_SERVER.
    expect(acked.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 2 * PER_SERVER }, (_, i) => i + 1));

    const keys = parsePublicKeys(logs.map((t) => t.signer.publicKeyPem).join("\n"), "servers");
    const report = await verifyLog(storeBatchSource(logs[0]!.log.batches), { trustedKeys: keys, checkSignatures: true });
    expect(report).toMatchObject({ ok: true, entries: 2 * PER_SERVER, unsignedTail: 0 });
    expect(report.keysUsed.sort()).toEqual(logs.map((t) => t.signer.keyId).sort());

    // And each acknowledged entry is stored at its seq with the content its server sent.
    const stored = new Map<number, { actor: string; n: unknown }>();
    for await (const e of new AuditReader(logs[1]!.log.batches).entriesAfter(0)) stored.set(e.seq, { actor: e.actor, n: e.details.n });
    expect(acked.filter((a) => stored.get(a.seq)?.actor !== `server-${a.server}` || stored.get(a.seq)?.n !== a.n)).toEqual([]);
    for (const store of stores) await store.close();
  }, 60_000);
});
