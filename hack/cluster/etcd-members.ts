// The three etcd members of a local cluster: static --initial-cluster on loopback, each with its own client and
// peer port and a data dir under the cluster dir. A member restarts on the same ports and data.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { findEtcdBinary } from "../etcd/etcd-binary.js";
import { pause, spawnLogged, terminate, type SpawnedProcess } from "./processes.js";

export interface EtcdMemberSpec {
  name: string;
  clientPort: number;
  peerPort: number;
}

export interface EtcdMemberState extends EtcdMemberSpec {
  pid?: number;
}

export const clientUrl = (m: EtcdMemberSpec): string => `http://127.0.0.1:${m.clientPort}`;
const peerUrl = (m: EtcdMemberSpec): string => `http://127.0.0.1:${m.peerPort}`;

export interface EtcdMembersOptions {
  dir: string;
  specs: EtcdMemberSpec[];
  detached: boolean;
}

export class EtcdMembers {
  private readonly running = new Map<string, SpawnedProcess>();
  private readonly binary: string;

  constructor(private readonly opts: EtcdMembersOptions) {
    const binary = findEtcdBinary();
    if (!binary) throw new Error("etcd binary not found on PATH; install it with `apt-get install -y etcd-server` or set ETCD_BIN");
    this.binary = binary;
  }

  get specs(): EtcdMemberSpec[] {
    return this.opts.specs;
  }

  endpoints(): string[] {
    return this.opts.specs.map(clientUrl);
  }

  pid(index: number): number | undefined {
    return this.running.get(this.spec(index).name)?.pid;
  }

  isRunning(index: number): boolean {
    return this.running.has(this.spec(index).name);
  }

  /** Starts the member (a new one joins the static cluster; a restarted one finds its data dir). */
  start(index: number): void {
    const m = this.spec(index);
    if (this.running.has(m.name)) return;
    const dataDir = join(this.opts.dir, `etcd-${index}`);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const env: NodeJS.ProcessEnv = { ...process.env };
    // etcd 3.4 refuses to start on anything but amd64 unless told the architecture is accepted.
    if (process.arch !== "x64") env.ETCD_UNSUPPORTED_ARCH = process.arch;
    const args = [
      `--name=${m.name}`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl(m)}`,
      `--advertise-client-urls=${clientUrl(m)}`,
      `--listen-peer-urls=${peerUrl(m)}`,
      `--initial-advertise-peer-urls=${peerUrl(m)}`,
      `--initial-cluster=${this.opts.specs.map((s) => `${s.name}=${peerUrl(s)}`).join(",")}`,
      "--initial-cluster-state=new",
      "--initial-cluster-token=claw-local-cluster",
      "--logger=zap",
      "--log-level=warn",
    ];
    const child = spawnLogged({ command: this.binary, args, env, logFile: join(this.opts.dir, `etcd-${index}.log`), detached: this.opts.detached });
    this.running.set(m.name, child);
    void child.exited.then(() => {
      if (this.running.get(m.name) === child) this.running.delete(m.name);
    });
  }

  /** SIGKILL (a crash) or SIGTERM (a clean stop), and wait for the process to go. */
  async stop(index: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const name = this.spec(index).name;
    const child = this.running.get(name);
    if (!child) return;
    await terminate(child.pid, { signal, exited: child.exited });
    this.running.delete(name);
  }

  /** The index of the member that leads the raft group (etcd_server_is_leader on its /metrics). */
  async leaderIndex(): Promise<number | undefined> {
    for (let i = 0; i < this.opts.specs.length; i++) {
      if (!this.isRunning(i)) continue;
      try {
        const text = await (await fetch(`${clientUrl(this.spec(i))}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
        if (/^etcd_server_is_leader 1$/m.test(text)) return i;
      } catch {
        // down or busy: not the one
      }
    }
    return undefined;
  }

  /** Waits until the member reports itself healthy (which needs a quorum). */
  async waitHealthy(index: number, timeoutMs = 30_000): Promise<void> {
    const url = clientUrl(this.spec(index));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.isRunning(index)) throw new Error(`etcd member ${this.spec(index).name} exited; see ${join(this.opts.dir, `etcd-${index}.log`)}`);
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await res.json()) as { health?: unknown };
        if (res.ok && body.health === "true") return;
      } catch {
        // not up yet
      }
      await pause(100);
    }
    throw new Error(`etcd member ${this.spec(index).name} at ${url} was not healthy after ${timeoutMs} ms`);
  }

  private spec(index: number): EtcdMemberSpec {
    const spec = this.opts.specs[index];
    if (!spec) throw new Error(`no etcd member ${index}`);
    return spec;
  }
}
