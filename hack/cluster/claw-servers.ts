// The `claw server` processes of a local cluster: each on its own fixed loopback port and data dir, all on the
// same etcd members and master key. A restarted server keeps its address; its controller manager gets a new
// identity, read back from its log.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { CLAW_BIN } from "../testing/claw-process.js";
import { logSize, pause, readLogFrom, spawnLogged, terminate, type SpawnedProcess } from "./processes.js";

export interface ClawServerSpec {
  name: string;
  port: number;
}

export interface ClawServersOptions {
  dir: string;
  specs: ClawServerSpec[];
  etcdEndpoints: string[];
  masterKey: string;
  detached: boolean;
  /** Extra arguments for every `claw server`. */
  extraArgs?: string[];
}

interface Running {
  process: SpawnedProcess;
  /** Where this run's lines start in the log. */
  logOffset: number;
}

export const serverUrl = (s: ClawServerSpec): string => `https://127.0.0.1:${s.port}`;

export class ClawServers {
  private readonly running = new Map<number, Running>();

  constructor(private readonly opts: ClawServersOptions) {}

  get specs(): ClawServerSpec[] {
    return this.opts.specs;
  }

  url(index: number): string {
    return serverUrl(this.spec(index));
  }

  dataDir(index: number): string {
    return join(this.opts.dir, this.spec(index).name);
  }

  logFile(index: number): string {
    return join(this.opts.dir, `${this.spec(index).name}.log`);
  }

  pid(index: number): number | undefined {
    return this.running.get(index)?.process.pid;
  }

  isRunning(index: number): boolean {
    return this.running.has(index);
  }

  /** What this run of the server has logged so far. */
  output(index: number): string {
    const run = this.running.get(index);
    return run ? readLogFrom(this.logFile(index), run.logOffset) : "";
  }

  /** The controller manager's identity in the Lease, once this run has logged it. */
  identity(index: number): string | undefined {
    return /"identity":"([^"]+)"/.exec(this.output(index))?.[1];
  }

  /** Starts the server and waits until it listens. */
  async start(index: number, timeoutMs = 30_000): Promise<void> {
    if (this.running.has(index)) return;
    mkdirSync(this.dataDir(index), { recursive: true, mode: 0o700 });
    const logFile = this.logFile(index);
    const logOffset = logSize(logFile);
    const args = [CLAW_BIN, "server", "--data-dir", this.dataDir(index), "--listen", `127.0.0.1:${this.spec(index).port}`, "--etcd-endpoints", this.opts.etcdEndpoints.join(","), "--log-level", "info", ...(this.opts.extraArgs ?? [])];
    const child = spawnLogged({ command: process.execPath, args, env: { ...process.env, CLAW_MASTER_KEY: this.opts.masterKey }, logFile, detached: this.opts.detached });
    const run: Running = { process: child, logOffset };
    this.running.set(index, run);
    let exited = false;
    void child.exited.then(() => {
      exited = true;
      if (this.running.get(index) === run) this.running.delete(index);
    });
    const deadline = Date.now() + timeoutMs;
    while (!/claw server listening on https?:\/\//.test(readLogFrom(logFile, logOffset))) {
      if (exited) throw new Error(`claw server ${this.spec(index).name} exited before listening:\n${readLogFrom(logFile, logOffset).slice(-3000)}`);
      if (Date.now() > deadline) {
        await this.stop(index, "SIGKILL");
        throw new Error(`claw server ${this.spec(index).name} did not listen within ${timeoutMs} ms:\n${readLogFrom(logFile, logOffset).slice(-3000)}`);
      }
      await pause(100);
    }
  }

  /** SIGKILL (a crash) or SIGTERM (a clean stop that releases the lease), and wait for the process to go. */
  async stop(index: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const run = this.running.get(index);
    if (!run) return;
    await terminate(run.process.pid, { signal, exited: run.process.exited });
    this.running.delete(index);
  }

  private spec(index: number): ClawServerSpec {
    const spec = this.opts.specs[index];
    if (!spec) throw new Error(`no claw server ${index}`);
    return spec;
  }
}
