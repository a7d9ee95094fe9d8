// Child process of audit-kill.test.ts: appends audit events through the real AuditLog on the real SQLite
// store, 64 in flight, and prints "seq n" the moment each append is acknowledged. It never stops by
// itself; the test kills it with SIGKILL mid-stream.

import { writeSync } from "node:fs";
import { defaultAuditConfig } from "../audit-config.js";
import { AuditLog } from "../audit-log.js";
import { loadOrCreateSigningKey } from "../signing-key-files.js";
import { systemClock } from "../../machinery/clock.js";
import { openSqliteStore } from "../../store/sqlite-store.js";

const [path, keyDir] = process.argv.slice(2);
if (!path || !keyDir) throw new Error("usage: append-child <store.db> <key dir>");
const store = openSqliteStore({ path });
const config = { ...defaultAuditConfig(keyDir), checkpointEvery: 50 };
const log = new AuditLog({ store, clock: systemClock, config, signer: loadOrCreateSigningKey(keyDir).signer });
await log.start();
let next = 0;

async function writer(): Promise<void> {
  for (;;) {
    const n = next++;
    const { seq } = await log.append({ type: "resource.updated", actor: "user:kill-test", outcome: "success", details: { n } });
    // Synchronous write: the line is out before any later acknowledgement can be printed.
    writeSync(1, `${seq} ${n}\n`);
  }
}

await Promise.all(Array.from({ length: 64 }, () => writer()));
