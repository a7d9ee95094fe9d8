// Network namespaces for tests: each test builds its own little network (namespaces, veth pairs, a bridge
// namespace as a switch, addresses) with names that carry this process's pid, and cleanup() takes it all down again —
// the processes inside (wireguard-go too), the namespaces and with them every link, WireGuard's control
// sockets and the temporary folders. A lab also sweeps what a killed test run of an earlier pid left behind.

import { spawn, type ChildProcessByStdio } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { ProcessCommandRunner, which, type CommandResult, type CommandRunner, type RunOptions } from "../command-runner.js";
import { waitUntil } from "./wait-until.js";

const PREFIX = "claw-";
const WIREGUARD_RUN_DIR = "/var/run/wireguard";

export interface NetnsTools {
  wireguard?: boolean;
  nft?: boolean;
  iptables?: boolean;
  ping?: boolean;
}

/** What is missing for namespace tests with these tools: root, ip, and each tool asked for. */
export function netnsSupport(tools: NetnsTools = {}): { missing: string[] } {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root");
  const programs = ["ip", ...(tools.wireguard ? ["wg", "wireguard-go"] : []), ...(tools.nft ? ["nft"] : []), ...(tools.iptables ? ["iptables-restore", "ip6tables-restore", "iptables"] : []), ...(tools.ping ? ["ping"] : [])];
  for (const program of programs) if (which(program, searchPath()) === undefined) missing.push(program);
  return { missing };
}

/** Why these tests are skipped, or undefined when they run: always under CI, where a missing tool must fail them. */
export function netnsSkipReason(tools: NetnsTools = {}): string | undefined {
  const { missing } = netnsSupport(tools);
  if (missing.length === 0 || process.env.CI) return undefined;
  return `skipped: needs ${missing.join(", ")} (root, and Debian's iproute2, wireguard-tools, wireguard-go, nftables, iptables, iputils-ping); under CI it runs`;
}

/** sbin folders too: a non-login root shell may not have them. */
const searchPath = () => [process.env.PATH ?? "", "/usr/sbin", "/sbin", "/usr/bin", "/bin"].join(":");

export interface Spawned {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Resolves with the first line of standard output that passes `test`; rejects if the program ends first or the time runs out. */
  line(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

/** A bridge in its own namespace: every namespace attached to it is on one Ethernet segment. */
export interface Switch {
  attach(ns: string, address: string): Promise<string>;
}

export class NetnsLab {
  /** A tool that hangs fails the test well before vitest's hook timeout. */
  private readonly base: CommandRunner = new ProcessCommandRunner({ env: { ...process.env, PATH: searchPath() }, timeoutMs: 20_000 });
  private readonly namespaces: string[] = [];
  private readonly children: Spawned["child"][] = [];
  private readonly wireguardNames: string[] = [];
  private readonly dirs: string[] = [];
  private seq = 0;

  private constructor(private readonly tag: string) {}

  /** A new lab; first removes what labs of processes no longer running left behind. */
  static async create(): Promise<NetnsLab> {
    const lab = new NetnsLab(process.pid.toString(36));
    await lab.sweep();
    return lab;
  }

  private next(): string {
    return (this.seq++).toString(36);
  }

  /** A new namespace with its loopback up; the label only helps a reader of `ip netns list`. */
  async namespace(label: string): Promise<string> {
    const name = `${PREFIX}${process.pid}-${this.next()}-${label}`;
    await this.must("ip", ["netns", "add", name]);
    this.namespaces.push(name);
    await this.must("ip", ["-n", name, "link", "set", "lo", "up"]);
    return name;
  }

  /** Deletes a namespace of this lab now, with its links and what runs in it. */
  async deleteNamespace(ns: string): Promise<void> {
    await this.removeNamespace(ns);
    this.namespaces.splice(this.namespaces.indexOf(ns), 1);
  }

  /** Gives a link an address (CIDR); an IPv6 one without duplicate address detection, so it works at once. */
  async address(ns: string, dev: string, cidr: string): Promise<void> {
    await this.must("ip", ["-n", ns, "address", "add", cidr, "dev", dev, ...(cidr.includes(":") ? ["nodad"] : [])]);
  }

  /** A veth pair from one namespace to the other, both ends up with their addresses (CIDR); its two names. */
  async link(a: { ns: string; address?: string }, b: { ns: string; address?: string }): Promise<[string, string]> {
    const id = this.next();
    const names: [string, string] = [`v${this.tag}${id}a`, `v${this.tag}${id}b`];
    // Created inside the namespaces in one request, so the root namespace never holds either end.
    await this.must("ip", ["link", "add", names[0], "netns", a.ns, "type", "veth", "peer", "name", names[1], "netns", b.ns]);
    for (const [end, name] of [[a, names[0]], [b, names[1]]] as const) {
      if (end.address !== undefined) await this.address(end.ns, name, end.address);
      await this.must("ip", ["-n", end.ns, "link", "set", name, "up"]);
    }
    return names;
  }

  /** A switch: a namespace holding a bridge, to which namespaces attach by a veth each. */
  async switch(label: string): Promise<Switch> {
    const ns = await this.namespace(label);
    await this.must("ip", ["-n", ns, "link", "add", "br0", "type", "bridge"]);
    await this.must("ip", ["-n", ns, "link", "set", "br0", "up"]);
    return {
      attach: async (other, address) => {
        const [port, end] = await this.link({ ns }, { ns: other, address });
        await this.must("ip", ["-n", ns, "link", "set", port, "master", "br0"]);
        return end;
      },
    };
  }

  /** A WireGuard interface name unique on this machine (their control sockets share one folder); its socket is removed at cleanup. */
  wireguardName(label: string): string {
    const name = `clw${this.tag}-${this.next()}${label}`.slice(0, 15);
    this.wireguardNames.push(name);
    return name;
  }

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "claw-netns-"));
    this.dirs.push(dir);
    return dir;
  }

  /** A runner whose every program runs inside the namespace. */
  runner(ns: string): CommandRunner {
    return { run: (file, args, opts) => this.base.run("ip", ["netns", "exec", ns, file, ...args], opts) };
  }

  exec(ns: string, file: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult> {
    return this.runner(ns).run(file, args, opts);
  }

  /** A long-running program inside the namespace, killed at cleanup if still running. */
  spawn(ns: string, file: string, args: readonly string[]): Spawned {
    const child = spawn("ip", ["netns", "exec", ns, file, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, PATH: searchPath() } });
    this.children.push(child);
    const lines: string[] = [];
    const more = new EventEmitter();
    let buffered = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const parts = (buffered + chunk.toString("utf8")).split("\n");
      buffered = parts.pop() ?? "";
      lines.push(...parts);
      more.emit("lines");
    });
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString("utf8")));
    const line = (test: (line: string) => boolean, timeoutMs = 10_000) =>
      new Promise<string>((resolve, reject) => {
        const look = (): boolean => {
          const found = lines.find(test);
          if (found === undefined) return false;
          done();
          resolve(found);
          return true;
        };
        const ended = () => (done(), reject(new Error(`${file} ended before the expected line: ${stderr.trim() || "no error output"}`)));
        const timer = setTimeout(() => (done(), reject(new Error(`${file} did not print the expected line within ${timeoutMs} ms`))), timeoutMs);
        const done = () => {
          clearTimeout(timer);
          more.off("lines", look);
          child.off("exit", ended);
        };
        if (look()) return;
        if (child.exitCode !== null || child.signalCode !== null) return ended();
        more.on("lines", look);
        child.once("exit", ended);
      });
    return { child, line };
  }

  /** Takes everything down; every step runs even when one fails, and the failures are thrown together. */
  async cleanup(): Promise<void> {
    const errors: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (err) {
        errors.push(`${what}: ${(err as Error).message}`);
      }
    };
    for (const child of this.children.splice(0)) await attempt("stopping a child", () => stopChild(child));
    for (const ns of this.namespaces.splice(0).reverse()) await attempt(`removing ${ns}`, () => this.removeNamespace(ns));
    for (const name of this.wireguardNames.splice(0)) await attempt(`removing ${name}.sock`, () => rm(join(WIREGUARD_RUN_DIR, `${name}.sock`), { force: true }));
    for (const dir of this.dirs.splice(0)) await attempt(`removing ${dir}`, () => rm(dir, { recursive: true, force: true }));
    if (errors.length > 0) throw new Error(`netns cleanup: ${errors.join("; ")}`);
  }

  /** The processes running in the namespace. */
  async pids(ns: string): Promise<number[]> {
    return (await this.base.run("ip", ["netns", "pids", ns])).stdout.split("\n").filter(Boolean).map(Number);
  }

  /** Kills what runs in the namespace (it would outlive the namespace's name), then deletes it and its links. */
  private async removeNamespace(ns: string): Promise<void> {
    for (const pid of await this.pids(ns)) killQuietly(pid);
    await waitUntil(async () => (await this.pids(ns)).length === 0, { timeoutMs: 5_000, what: `the processes in ${ns} to end` });
    await this.must("ip", ["netns", "del", ns]);
  }

  /** Namespaces and WireGuard sockets of labs whose process is gone (a test run killed before its cleanup). */
  private async sweep(): Promise<void> {
    const listed = (await this.base.run("ip", ["netns", "list"])).stdout;
    for (const name of listed.split("\n").map((line) => line.split(" ")[0] ?? "")) {
      const pid = /^claw-(\d+)-/.exec(name)?.[1];
      if (pid !== undefined && !alive(Number(pid))) await this.removeNamespace(name);
    }
    const sockets = await readdir(WIREGUARD_RUN_DIR).catch(() => [] as string[]);
    for (const socket of sockets) {
      const tag = /^clw([0-9a-z]{1,5})-.*\.sock$/.exec(socket)?.[1];
      const path = join(WIREGUARD_RUN_DIR, socket);
      // Only a socket nobody answers on: a name like ours that is someone else's live interface stays.
      if (tag !== undefined && !alive(parseInt(tag, 36)) && (await refused(path))) await rm(path, { force: true });
    }
  }

  private async must(file: string, args: string[]): Promise<void> {
    const answer = await this.base.run(file, args);
    if (answer.code !== 0) throw new Error(`${file} ${args.join(" ")}: ${answer.stderr.trim() || `exit code ${answer.code}`}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether connecting to the Unix socket is refused: no process listens on it any more. */
function refused(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED" || err.code === "ENOENT"));
  });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Ended already.
  }
}

async function stopChild(child: Spawned["child"]): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}
