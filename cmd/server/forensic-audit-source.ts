// `claw audit verify --data-dir | --etcd-endpoints`: the audit log read straight from a store, for
// forensics when the server cannot be trusted or is down. The CLI gets this through CliDeps, so it never
// imports the store itself.

import { join } from "node:path";
import { BatchStore, storeBatchSource } from "../../api/audit/batch-store.js";
import type { ForensicAuditSource, ForensicTarget } from "../cli/forensic-audit.js";
import { openEtcdStore } from "../../api/store/etcd-store.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";

export async function openForensicAuditSource(target: ForensicTarget): Promise<ForensicAuditSource> {
  let store: Store;
  if (target.dataDir !== undefined) {
    try {
      store = openSqliteStore({ path: join(target.dataDir, "store.db"), lockTimeoutMs: 200 });
    } catch (err) {
      throw new Error(`cannot open the embedded store in ${target.dataDir}: ${(err as Error).message}. A running server holds it: stop it, or verify through the API (omit --data-dir)`);
    }
  } else store = openEtcdStore({ endpoints: target.etcdEndpoints ?? [], ...(target.etcdPrefix ? { prefix: target.etcdPrefix } : {}) });
  const batches = new BatchStore(store);
  const last = await batches.lastBatch();
  const headSeq = last === undefined ? 0 : ((await batches.get(last))?.lastSeq ?? 0);
  return {
    source: storeBatchSource(batches),
    headSeq,
    publishedKeyPems: async () => (await batches.publishedKeys()).map((k) => k.publicKeyPem),
    close: () => store.close(),
  };
}
