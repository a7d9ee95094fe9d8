// A real cluster on one machine: three etcd members (static --initial-cluster on loopback) and three `claw server`
// processes on them, sharing one master key and one CA (the first server creates the PKI in etcd, the others
// reuse it, which start() checks). hack/cluster-up and the cluster tests and benchmark all start it from here.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { credentialTypeOf } from "../../api/client/credential.js";
import { RestClient } from "../../api/client/rest-client.js";
import { resolveClientConfig } from "../../cmd/cli/config/client-config.js";
import { writeKubeconfigFile, type Kubeconfig } from "../../cmd/cli/config/kubeconfig.js";
import { ClawServers } from "./claw-servers.js";
import { EtcdMembers, type EtcdMemberState } from "./etcd-members.js";
import { freePorts } from "./free-ports.js";
import { isAlive, terminate } from "./processes.js";
import { verifySharedCa } from "./shared-ca.js";

export interface ClusterOptions {
  /** Everything lives here: etcd data, server data dirs, logs, cluster.json, kubeconfig. Created; must not hold a cluster. */
  dir: string;
  /** Default 3 each. */
  members?: number;
  servers?: number;
  /** Keep the processes running after this process exits (hack/cluster-up). Default false: they die with it. */
  detached?: boolean;
  /** Base64 of 32 bytes; default a random one, kept in DIR/master.key (0600). */
  masterKey?: string;
}

/** What DIR/cluster.json records, so hack/cluster-down can stop what hack/cluster-up started. */
export interface ClusterState {
  members: EtcdMemberState[];
  servers: { name: string; port: number; url: string; pid?: number }[];
  kubeconfig: string;
}

export const STATE_FILE = "cluster.json";

export class LocalCluster {
  readonly kubeconfigPath: string;
  private exitHook: (() => void) | undefined;
  private reaper: number | undefined;
  private adminToken = "";
  caPem = "";

  private constructor(
    readonly dir: string,
    readonly etcd: EtcdMembers,
    readonly servers: ClawServers,
  ) {
    this.kubeconfigPath = join(dir, "kubeconfig");
  }

  static async start(opts: ClusterOptions): Promise<LocalCluster> {
    if (existsSync(join(opts.dir, STATE_FILE))) throw new Error(`${opts.dir} already holds a cluster (${STATE_FILE}); run hack/cluster-down first`);
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const memberCount = opts.members ?? 3;
    const serverCount = opts.servers ?? 3;
    const ports = await freePorts(memberCount * 2 + serverCount);
    const masterKey = opts.masterKey ?? randomBytes(32).toString("base64");
    writeFileSync(join(opts.dir, "master.key"), masterKey + "\n", { mode: 0o600 });
    const detached = opts.detached ?? false;
    const etcd = new EtcdMembers({ dir: opts.dir, detached, specs: Array.from({ length: memberCount }, (_, i) => ({ name: `etcd-${i}`, clientPort: ports[2 * i]!, peerPort: ports[2 * i + 1]! })) });
    const servers = new ClawServers({
      dir: opts.dir,
      detached,
      etcdEndpoints: etcd.endpoints(),
      masterKey,
      specs: Array.from({ length: serverCount }, (_, i) => ({ name: `server-${i}`, port: ports[memberCount * 2 + i]! })),
    });
    const cluster = new LocalCluster(opts.dir, etcd, servers);
    if (!detached) cluster.reapOnExit();
    try {
      for (let i = 0; i < memberCount; i++) etcd.start(i);
      cluster.saveState();
      for (let i = 0; i < memberCount; i++) await etcd.waitHealthy(i);
      // The first server creates the CA, the serving certificate and the admin credential; the others find them.
      await servers.start(0);
      cluster.saveState();
      for (let i = 1; i < serverCount; i++) {
        await servers.start(i);
        cluster.saveState();
      }
      cluster.caPem = await verifySharedCa(Array.from({ length: serverCount }, (_, i) => ({ url: servers.url(i), dataDir: servers.dataDir(i) })));
      writeFileSync(join(opts.dir, "ca.crt"), cluster.caPem, { mode: 0o644 });
      await cluster.writeKubeconfig();
      cluster.saveState();
      return cluster;
    } catch (err) {
      await cluster.stop({ removeDir: false });
      throw err;
    }
  }

  /** Every server's URL, in order. */
  urls(): string[] {
    return this.servers.specs.map((_, i) => this.servers.url(i));
  }

  /** An admin client of server `index`. */
  client(index: number, options: { maxConnections?: number; group?: string; unavailableRetries?: number } = {}): RestClient {
    return new RestClient({ server: this.servers.url(index), credential: { type: credentialTypeOf(this.adminToken), value: this.adminToken }, tls: { ca: this.caPem }, ...options });
  }

  /** The admin's bearer token (from the first server's admin.conf). */
  token(): string {
    return this.adminToken;
  }

  async startServer(index: number): Promise<void> {
    await this.servers.start(index);
    this.saveState();
  }

  async stopServer(index: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.servers.stop(index, signal);
    this.saveState();
  }

  startMember(index: number): void {
    this.etcd.start(index);
    this.saveState();
  }

  async stopMember(index: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.etcd.stop(index, signal);
    this.saveState();
  }

  /** Stops the servers (cleanly, releasing the lease) then etcd; removes the dir unless told not to. */
  async stop(opts: { removeDir?: boolean } = {}): Promise<void> {
    await Promise.all(this.servers.specs.map((_, i) => this.servers.stop(i)));
    await Promise.all(this.etcd.specs.map((_, i) => this.etcd.stop(i)));
    if (this.exitHook) process.off("exit", this.exitHook);
    this.exitHook = undefined;
    if (this.reaper) await terminate(this.reaper, { signal: "SIGTERM" });
    this.reaper = undefined;
    if (opts.removeDir ?? true) rmSync(this.dir, { recursive: true, force: true });
    else this.saveState();
  }

  state(): ClusterState {
    return {
      members: this.etcd.specs.map((m, i) => ({ ...m, ...(this.etcd.pid(i) ? { pid: this.etcd.pid(i) } : {}) })),
      servers: this.servers.specs.map((s, i) => ({ ...s, url: this.servers.url(i), ...(this.servers.pid(i) ? { pid: this.servers.pid(i) } : {}) })),
      kubeconfig: this.kubeconfigPath,
    };
  }

  /** A test that fails, times out or is killed must not leave etcd or claw processes behind. */
  private reapOnExit(): void {
    this.exitHook = () => {
      for (const pid of this.pids()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    };
    process.on("exit", this.exitHook);
    this.reaper = startReaper(join(this.dir, STATE_FILE));
  }

  private pids(): number[] {
    return [...this.servers.specs.map((_, i) => this.servers.pid(i)), ...this.etcd.specs.map((_, i) => this.etcd.pid(i))].filter((p): p is number => p !== undefined);
  }

  private saveState(): void {
    if (existsSync(this.dir)) writeFileSync(join(this.dir, STATE_FILE), JSON.stringify(this.state(), null, 2) + "\n", { mode: 0o600 });
  }

  /** One context per server (claw-0, claw-1, …) and `claw`, the current one, on the first; one admin user. */
  private async writeKubeconfig(): Promise<void> {
    const admin = await resolveClientConfig({ flags: { config: join(this.servers.dataDir(0), "admin.conf") }, env: {}, homeDir: "/nonexistent" });
    if (!admin.credential) throw new Error("the first server's admin.conf holds no admin credential");
    this.adminToken = admin.credential.value;
    const caData = Buffer.from(this.caPem).toString("base64");
    const names = this.servers.specs.map((_, i) => `claw-${i}`);
    const config: Kubeconfig = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "claw", cluster: { server: this.servers.url(0), "certificate-authority-data": caData } }, ...names.map((name, i) => ({ name, cluster: { server: this.servers.url(i), "certificate-authority-data": caData } }))],
      users: [{ name: "admin", user: { token: this.adminToken } }],
      contexts: ["claw", ...names].map((name) => ({ name, context: { cluster: name, user: "admin" } })),
      "current-context": "claw",
    };
    await writeKubeconfigFile(this.kubeconfigPath, config);
  }
}

/**
 * A test runner killed outright (a worker timed out, SIGKILL) runs no exit hook: a small detached process
 * watches this one and, when it is gone, SIGKILLs every pid cluster.json names.
 */
function startReaper(stateFile: string): number | undefined {
  const script = `
    const [parent, file] = process.argv.slice(1);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    setInterval(() => {
      if (alive(Number(parent))) return;
      try {
        const state = JSON.parse(require("node:fs").readFileSync(file, "utf8"));
        for (const p of [...state.servers, ...state.members]) if (p.pid) try { process.kill(p.pid, "SIGKILL"); } catch {}
      } catch {}
      process.exit(0);
    }, 500);`;
  const child = spawn(process.execPath, ["-e", script, String(process.pid), stateFile], { detached: true, stdio: "ignore" });
  child.unref();
  return child.pid;
}

/** hack/cluster-down: stops every process DIR/cluster.json names (SIGTERM, then SIGKILL) and removes DIR. */
export async function downCluster(dir: string): Promise<{ stopped: number }> {
  const file = join(dir, STATE_FILE);
  let stopped = 0;
  if (existsSync(file)) {
    const state = JSON.parse(readFileSync(file, "utf8")) as ClusterState;
    const pids = (list: { pid?: number }[]) => list.map((p) => p.pid).filter((p): p is number => p !== undefined && isAlive(p));
    // Servers first, so they release the lease and do not log etcd errors on the way out.
    for (const group of [pids(state.servers), pids(state.members)]) {
      stopped += group.length;
      await Promise.all(group.map((pid) => terminate(pid, { signal: "SIGTERM", graceMs: 10_000 })));
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return { stopped };
}
