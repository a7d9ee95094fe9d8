import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "./sqlite-store.js";
import { STORE_FILE_MODE } from "./sqlite-schema.js";

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** The modes of the store file and those of its companions that exist (exclusive-locked WAL needs no -shm). */
function modes(dbPath: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const suffix of ["", "-wal", "-shm"]) if (existsSync(dbPath + suffix)) out[`store.db${suffix}`] = modeOf(dbPath + suffix);
  return out;
}

describe("store files are readable only by the server's user", () => {
  let dir: string;
  let savedUmask: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "claw-filemode-"));
    // The common default umask, under which the old code made store.db 0644.
    savedUmask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(savedUmask);
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: { name: string; before: (dbPath: string) => void }[] = [
    { name: "a fresh store's database and WAL files are 0600", before: () => undefined },
    {
      name: "an existing 0644 store and its stale 0644 WAL are tightened to 0600 on open",
      before: (dbPath) => {
        mkdirSync(dirname(dbPath), { recursive: true });
        writeFileSync(dbPath, "", { mode: 0o644 });
        writeFileSync(`${dbPath}-wal`, "", { mode: 0o644 });
        chmodSync(dbPath, 0o644);
        chmodSync(`${dbPath}-wal`, 0o644);
      },
    },
  ];

  it.each(cases)("$name", async ({ before }) => {
    const dbPath = join(dir, "data", "store.db");
    before(dbPath);
    const store = openSqliteStore({ path: dbPath });
    try {
      await store.create("/claw/test/a", "value");
      const seen = modes(dbPath);
      expect(Object.keys(seen)).toEqual(expect.arrayContaining(["store.db", "store.db-wal"]));
      for (const mode of Object.values(seen)) expect(mode).toBe(STORE_FILE_MODE);
    } finally {
      await store.close();
    }
  });
});
