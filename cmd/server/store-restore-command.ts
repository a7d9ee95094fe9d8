// `claw store restore --data-dir DIR --from FILE`: puts a `claw store backup` snapshot back as DIR's embedded
// store, on the server's machine with the server stopped (the store's exclusive lock proves it is). The
// snapshot is checked first — a SQLite database, intact, with claw's tables — and the current store is kept
// beside it as store.db.before-restore-TIME, so a restore can itself be undone.

import { chmodSync, copyFileSync, existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Command, CommanderError } from "commander";
import { openDatabase } from "../../api/store/sqlite-schema.js";
import { STORE_FILE_MODE } from "../../api/store/sqlite-schema.js";
import { FAILED } from "../cli/cli-action.js";
import { ExitCode } from "../cli/exit-codes.js";
import { defaultDataDir } from "./server-config.js";

export interface StoreRestoreDeps {
  homeDir: string;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  now?: () => Date;
}

/** What is wrong with a snapshot, or undefined when it can be restored. */
export function snapshotProblem(file: string): string | undefined {
  if (!existsSync(file)) return `${file} does not exist`;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    for (const table of ["revisions", "store_meta"]) if (!tables.has(table)) return `${file} is a SQLite database but not a claw store (no ${table} table)`;
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") return `${file} is damaged (SQLite quick_check: ${String(check)})`;
    return undefined;
  } catch (err) {
    return `${file} is not a SQLite database (${(err as Error).message})`;
  } finally {
    db?.close();
  }
}

export function storeRestoreCommand(deps: StoreRestoreDeps): Command {
  return new Command("restore")
    .description("put a `claw store backup` snapshot back as the embedded store of --data-dir; the server must be stopped, and the current store is kept as store.db.before-restore-TIME")
    .requiredOption("--from <file>", "the snapshot to restore")
    .option("--data-dir <dir>", "the server's data directory (default ~/.claw)")
    .exitOverride()
    .configureOutput({ writeOut: (text) => deps.stdout(text.trimEnd()), writeErr: (text) => deps.stderr(text.trimEnd()) })
    .action((flags: { from: string; dataDir?: string }) => {
      const dataDir = flags.dataDir ?? defaultDataDir(deps.homeDir);
      const target = join(dataDir, "store.db");
      const problem = snapshotProblem(flags.from);
      if (problem) return fail(deps, ExitCode.Usage, `${problem}; nothing was changed`);
      if (existsSync(target)) {
        // The store's exclusive lock: a running server holds it, so this open fails while one does.
        try {
          openDatabase(target, 200).close();
        } catch (err) {
          return fail(deps, ExitCode.Failure, `the store in ${dataDir} cannot be replaced: ${(err as Error).message}. Stop the server first`);
        }
      }
      const stamp = (deps.now?.() ?? new Date()).toISOString().replace(/[:.]/g, "-");
      const kept = `${target}.before-restore-${stamp}`;
      const incoming = `${target}.restoring`;
      copyFileSync(flags.from, incoming);
      chmodSync(incoming, STORE_FILE_MODE);
      if (existsSync(target)) renameSync(target, kept);
      for (const suffix of ["-wal", "-shm"]) rmSync(`${target}${suffix}`, { force: true });
      renameSync(incoming, target);
      deps.stdout(`restored ${flags.from} as the store of ${dataDir}${existsSync(kept) ? `; the previous store is ${kept}` : ""}`);
      if (!existsSync(join(dataDir, "secrets", "master.key")))
        deps.stderr(`note: ${join(dataDir, "secrets", "master.key")} is missing: start the server with the master key that sealed this snapshot's secrets ([secrets] key_file or CLAW_MASTER_KEY), or none of them can be read`);
    });
}

function fail(deps: StoreRestoreDeps, code: number, message: string): never {
  deps.stderr(`error: ${message}`);
  throw new CommanderError(code, FAILED, message);
}
