// Child processes that may outlive the script that started them (hack/cluster-up exits, they stay): each writes
// to a log file in the cluster dir and is found again by its pid.

import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, statSync } from "node:fs";

export interface SpawnedProcess {
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export interface SpawnLoggedOptions {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Appended to, so a restarted process keeps the earlier runs' lines. */
  logFile: string;
  /** Keep running after this process exits (cluster-up); tests keep their children attached. */
  detached: boolean;
}

export function spawnLogged(opts: SpawnLoggedOptions): SpawnedProcess {
  const fd = openSync(opts.logFile, "a", 0o600);
  const child = spawn(opts.command, opts.args, { env: opts.env, stdio: ["ignore", fd, fd], detached: opts.detached });
  closeSync(fd);
  if (opts.detached) child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${opts.command}`);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return { pid: child.pid, exited };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Sends `signal`, then waits for the process to go (SIGKILL after graceMs); works for processes we did not spawn. */
export async function terminate(pid: number, opts: { signal: NodeJS.Signals; graceMs?: number; exited?: Promise<void> }): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, opts.signal);
  } catch {
    return;
  }
  const deadline = Date.now() + (opts.graceMs ?? 10_000);
  let killed = opts.signal === "SIGKILL";
  for (;;) {
    const gone = opts.exited ? await Promise.race([opts.exited.then(() => true), pause(50).then(() => false)]) : (await pause(50), !isAlive(pid));
    if (gone) return;
    if (!killed && Date.now() > deadline) {
      killed = true;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        return;
      }
    }
  }
}

/** The size of a log file, to read only what a later run adds. */
export function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function readLogFrom(path: string, offset: number): string {
  try {
    return readFileSync(path).subarray(offset).toString("utf8");
  } catch {
    return "";
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
