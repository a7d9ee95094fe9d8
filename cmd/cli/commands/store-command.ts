// `claw store backup -o FILE`: a consistent snapshot of the embedded store, downloaded from the server (which
// holds the database locked), written 0600 through a temporary file so a cut connection never leaves a
// truncated backup under the final name. `claw store restore` (cmd/server/store-restore-command.ts) puts one back.

import { createWriteStream, existsSync, openSync, readSync, closeSync, renameSync, rmSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { SQLITE_HEADER, STORE_SNAPSHOT_TYPE, storeSnapshotPath } from "../../../api/types/store-backup-api.js";
import { runAction } from "../cli-action.js";
import { UsageError } from "../cli-errors.js";
import type { CliSession } from "../cli-session.js";
import { openStream } from "../raw-stream.js";

interface BackupFlags {
  output?: string;
  force?: boolean;
}

export function addStoreCommand(program: Command, session: CliSession): Command {
  const store = program.command("store").description("back up the embedded store (claw store backup), and put a backup back (claw store restore, on the server's machine)");
  store
    .command("backup")
    .description("download a consistent snapshot of the embedded store (needs *:admin; audited as store.backup). The master key is never in it: back that up apart")
    .requiredOption("-o, --output <file>", "where to write the snapshot (created 0600)")
    .option("--force", "replace the file if it exists")
    .action(
      runAction(session, async (flags: BackupFlags) => {
        const file = flags.output!;
        if (file === "-") throw new UsageError("-o - is not supported: a snapshot is a binary database; name a file");
        if (existsSync(file) && !flags.force) throw new UsageError(`${file} exists; pass --force to replace it, or name another file`);
        const partial = `${file}.partial`;
        const opened = await openStream(session, { path: storeSnapshotPath, accept: STORE_SNAPSHOT_TYPE });
        try {
          await pipeline(opened.body, createWriteStream(partial, { mode: 0o600, flags: "w" }));
        } catch (err) {
          rmSync(partial, { force: true });
          throw err;
        } finally {
          await opened.close();
        }
        if (!startsWithSqliteHeader(partial)) {
          rmSync(partial, { force: true });
          throw new Error(`${opened.server} did not send a SQLite database; nothing was written to ${file}`);
        }
        renameSync(partial, file);
        const bytes = Number(opened.headers["content-length"] ?? 0);
        session.out(`wrote a snapshot of the store on ${opened.server} to ${file}${bytes ? ` (${bytes} bytes)` : ""}\n`);
        session.err("The master key is not in it: keep a copy of DATA_DIR/secrets/master.key (or your [secrets] key source) apart from this file.");
      }),
    );
  return store;
}

function startsWithSqliteHeader(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.toString("latin1") === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}
