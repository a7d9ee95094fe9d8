// Runs the built `claw server` as a real child process (dist/, built by `npm test` first).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findRepoRoot as packageRoot } from "../../api/schema/repo-root.js";

export const CLAW_BIN = join(packageRoot(), "dist", "cmd", "claw.js");

export interface ClawServerProcess {
  child: ChildProcess;
  url: string;
  adminConfig: string;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

/** A fixed master key for test servers sharing an etcd (never a real one). */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString("base64");

export async function startClawServer(opts: { dataDir: string; extraArgs?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ClawServerProcess> {
  if (!existsSync(CLAW_BIN)) throw new Error(`${CLAW_BIN} is missing: run 'npm run build' first (npm test does)`);
  // Servers on one etcd must share a master key: tests give them one fixed test key unless they set their own.
  const onEtcd = (opts.extraArgs ?? []).includes("--etcd-endpoints");
  // CLAW_BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server a benchmark starts.
  const nodeArgs = (process.env.CLAW_BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLAW_BIN, "server", "--data-dir", opts.dataDir, "--listen", "127.0.0.1:0", "--log-level", "warn", ...(opts.extraArgs ?? [])], {
    env: { ...process.env, ...(onEtcd ? { CLAW_MASTER_KEY: TEST_MASTER_KEY } : {}), ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /listening on (https?:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`claw server exited with ${String(code)} before listening:\n${out}`)));
    setTimeout(() => reject(new Error(`claw server did not start within ${opts.timeoutMs ?? 20_000} ms:\n${out}`)), opts.timeoutMs ?? 20_000).unref();
  });
  return {
    child,
    url,
    adminConfig: join(opts.dataDir, "admin.conf"),
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
