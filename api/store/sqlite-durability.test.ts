import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "./sqlite-store.js";
import { transpileForNode } from "./testdata/transpile-for-node.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const KILL_AFTER_ACKS = 400;

interface ChildRun {
  acknowledged: string[];
  signal: NodeJS.Signals | null;
}

/** Runs the child writer and SIGKILLs it once it has acknowledged `killAfter` creates. */
function runAndKill(childJs: string, dbPath: string, killAfter: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childJs, dbPath], { stdio: ["ignore", "pipe", "pipe"] });
    const acknowledged: string[] = [];
    let partial = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      acknowledged.push(...lines.filter(Boolean));
      if (acknowledged.length >= killAfter) child.kill("SIGKILL");
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`durability child exited (code ${code}, signal ${signal}) before it was killed:\n${stderr}`));
      else resolve({ acknowledged, signal });
    });
  });
}

describe("sqlite store durability", () => {
  let dir: string;
  let childJs: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "claw-durability-"));
    childJs = await transpileForNode({ entry: join(root, "api/store/testdata/durability-child.ts"), root, outDir: join(dir, "child") });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps every acknowledged create after the writing process is killed with SIGKILL", async () => {
    const dbPath = join(dir, "store.db");
    const run = await runAndKill(childJs, dbPath, KILL_AFTER_ACKS);
    expect(run.acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    const store = openSqliteStore({ path: dbPath });
    try {
      const missing: string[] = [];
      for (const key of run.acknowledged) if ((await store.get(key)) === undefined) missing.push(key);
      expect(missing).toEqual([]);
      // The revision counter resumes past everything that survived.
      const survivors = await store.list("/durable/");
      const next = await store.create("/after-crash", "1");
      expect(next.modRevision).toBeGreaterThan(Math.max(...survivors.items.map((kv) => kv.modRevision)));
    } finally {
      await store.close();
    }
  }, 30_000);
});
