// Must show: a process appending audit events is killed with SIGKILL; every event it acknowledged before
// the kill is in the log afterwards, at the seq it was given, and the chain verifies.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../store/sqlite-store.js";
import { transpileForNode } from "../store/testdata/transpile-for-node.js";
import { AuditReader } from "./audit-reader.js";
import { BatchStore } from "./batch-store.js";
import { parsePublicKeys } from "../client/audit/checkpoint.js";
import { PUBLIC_KEY_FILE } from "./signing-key-files.js";
import { verifyLog } from "../client/audit/verify-log.js";
import { storeBatchSource } from "./batch-store.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const KILL_AFTER_ACKS = 3000;

/** Runs the child and SIGKILLs it once it has acknowledged `killAfter` appends; returns the acks as seq → n. */
function runAndKill(childJs: string, args: string[], killAfter: number): Promise<Map<number, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childJs, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const acked = new Map<number, number>();
    let partial = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const [seq, n] = line.split(" ").map(Number);
        acked.set(seq!, n!);
      }
      if (acked.size >= killAfter) child.kill("SIGKILL");
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve(acked) : reject(new Error(`append child exited (code ${code}, signal ${signal}) before it was killed:\n${stderr}`))));
  });
}

describe("audit log durability", () => {
  let dir: string;
  let childJs: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "claw-audit-kill-"));
    childJs = await transpileForNode({ entry: join(root, "api/audit/testdata/append-child.ts"), root, outDir: join(dir, "child") });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps every acknowledged entry when the appending process is killed with SIGKILL, and the chain verifies", async () => {
    const dbPath = join(dir, "store.db");
    const keyDir = join(dir, "audit");
    const acked = await runAndKill(childJs, [dbPath, keyDir], KILL_AFTER_ACKS);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);

    const store = openSqliteStore({ path: dbPath });
    try {
      const batches = new BatchStore(store);
      const report = await verifyLog(storeBatchSource(batches), { trustedKeys: parsePublicKeys(readFileSync(join(keyDir, PUBLIC_KEY_FILE), "utf8"), PUBLIC_KEY_FILE), checkSignatures: true });
      expect(report.ok).toBe(true);
      expect(report.lastSeq).toBeGreaterThanOrEqual(Math.max(...acked.keys()));
      const stored = new Map<number, unknown>();
      for await (const e of new AuditReader(batches).entriesAfter(0)) stored.set(e.seq, e.details.n);
      const missing = [...acked].filter(([seq, n]) => stored.get(seq) !== n);
      expect(missing).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
