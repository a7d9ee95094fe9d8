// The embedded store's snapshot route: SQLite's online backup into a file under DATA_DIR/backups (never /tmp:
// the container's root filesystem is read-only), streamed to the caller, then removed. One copy at a time.

import { randomBytes } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { badRequest } from "../../api/machinery/errors.js";
import type { ModuleContext, ServerModule } from "../../api/server/module.js";
import { sourceIpOf } from "../../api/server/request-context.js";
import { SqliteStore } from "../../api/store/sqlite-store.js";
import { STORE_SNAPSHOT_TYPE, storeSnapshotPath } from "../../api/types/store-backup-api.js";

export function storeSnapshotModule(ctx: ModuleContext, opts: { dataDir: string }): ServerModule {
  // One backup at a time (each copies the whole database); a second request waits its turn rather than failing.
  let turn: Promise<unknown> = Promise.resolve();
  // A server killed mid-snapshot left its copy behind: a full copy of the store, so it does not stay.
  const dir = join(opts.dataDir, "backups");
  if (existsSync(dir)) for (const name of readdirSync(dir)) if (name.startsWith(".snapshot-")) rmSync(join(dir, name), { force: true });
  return {
    name: "store-snapshot",
    routes: [
      {
        id: "store.snapshot",
        method: "GET",
        path: storeSnapshotPath,
        verb: "get",
        target: { group: "security.clawbernetes.com", version: "v1", resource: "storesnapshot", isResourceRequest: false },
        access: { kind: "permission", resource: "*", action: "admin" },
        cost: "expensive",
        handler: async (rc) => {
          const store = ctx.store;
          if (!(store instanceof SqliteStore))
            throw badRequest("this server's store is etcd, which has its own backup: `etcdctl --endpoints … snapshot save FILE` (docs/production.md); `claw store backup` copies the embedded store only");
          const file = join(dir, `.snapshot-${randomBytes(8).toString("hex")}.db`);
          try {
            mkdirSync(dir, { recursive: true, mode: 0o700 });
            const copied = turn.then(() => store.backup(file));
            turn = copied.catch(() => undefined);
            await copied;
            const bytes = statSync(file).size;
            const sourceIp = sourceIpOf(rc);
            await ctx.audit.record({ type: "store.backup", actor: rc.user?.name ?? "anonymous", ...(sourceIp ? { sourceIp } : {}), outcome: "success", details: { bytes } });
            rc.res.writeHead(200, {
              "Content-Type": STORE_SNAPSHOT_TYPE,
              "Content-Length": String(bytes),
              "Content-Disposition": 'attachment; filename="claw-store.db"',
              "Cache-Control": "no-store",
            });
            await pipeline(createReadStream(file), rc.res);
          } finally {
            try {
              unlinkSync(file);
            } catch {
              // Never made (the backup failed first).
            }
          }
        },
      },
    ],
  };
}
