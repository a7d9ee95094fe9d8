// A real audit log written by AuditLog (in-memory SQLite), read back as its stored batches.

import { FakeClock } from "../../machinery/clock.js";
import type { RawBatch } from "../batch-store.js";
import type { Checkpoint, CheckpointSigner } from "../../client/audit/checkpoint.js";
import type { AuditEvent } from "../../client/audit/event.js";
import { startTestLog, type TestLog } from "./audit-fixture.js";

const TYPES = ["auth.login", "auth.logout", "resource.created", "secrets.accessed", "security.violation"] as const;

export const variedEvent = (i: number): AuditEvent => ({
  type: TYPES[i % TYPES.length]!,
  actor: i % 7 === 0 ? "apikey:ak_0123456789abcdefghij" : `user:user${i % 5}`,
  sourceIp: `10.0.${i % 256}.${(i * 7) % 256}`,
  ...(i % 4 === 0 ? {} : { resource: { group: "security.clawbernetes.com", kind: "Role", name: `role-${i}` } }),
  outcome: i % 3 === 0 ? "denied" : "success",
  details: { i, verb: "create", nested: { list: [i, "x"], flag: i % 2 === 0 } },
});

export interface StoredLogFixture {
  raws: RawBatch[];
  signer: CheckpointSigner;
  lastCheckpoint: Checkpoint;
  t: TestLog;
}

/** Writes `entries` events in batches of at most batchEntries, signs the tail, and returns the stored batches. */
export async function writeStoredLog(opts: { entries: number; checkpointEvery: number; batchEntries: number }): Promise<StoredLogFixture> {
  const clock = new FakeClock();
  const t = await startTestLog({ clock, maxBatchEntries: opts.batchEntries, config: (c) => ((c.checkpointEvery = opts.checkpointEvery), (c.checkpointIntervalMs = 3_600_000)) });
  await Promise.all(Array.from({ length: opts.entries }, (_, i) => t.log.append(variedEvent(i))));
  await t.log.stop();
  const raws: RawBatch[] = [];
  for (let after: number | undefined; ; ) {
    const page = await t.log.batches.page(after, 100);
    raws.push(...page.items);
    if (!page.more) break;
    after = page.items.at(-1)!.batch;
  }
  const lastCheckpoint = raws.flatMap((r) => (JSON.parse(r.raw) as { checkpoints: Checkpoint[] }).checkpoints).at(-1)!;
  return { raws, signer: t.signer, lastCheckpoint, t };
}
