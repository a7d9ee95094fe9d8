// Starts a real, throwaway etcd (Debian's etcd-server) on free 127.0.0.1 ports for tests and benchmarks.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findEtcdBinary } from "./etcd-binary.js";

export interface EtcdServer {
  /** Client URLs, e.g. ["http://127.0.0.1:40123"]. */
  endpoints: string[];
  dataDir: string;
  /** Stops etcd (SIGTERM, then SIGKILL) and removes the data dir when startEtcd created it. */
  stop(): Promise<void>;
}

export interface StartEtcdOptions {
  /** Data directory; a fresh temp dir (removed on stop) when absent. */
  dataDir?: string;
  /** The etcd executable; found on PATH (or $ETCD_BIN) when absent. */
  binary?: string;
  /** How long to wait for /health to answer true. */
  startTimeoutMs?: number;
}

const HEALTH_POLL_MS = 50;
const PORT_ATTEMPTS = 3;

export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdServer> {
  const binary = options.binary ?? findEtcdBinary();
  if (!binary) {
    throw new Error("etcd binary not found on PATH; install it with `apt-get install -y etcd-server` or set ETCD_BIN");
  }
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "claw-etcd-")));
  let lastError: unknown;
  // Free ports are found by binding port 0 and releasing it, so another process may grab one first: retry.
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    try {
      return await launch({ binary, dataDir, ownDir, startTimeoutMs: options.startTimeoutMs ?? 20_000 });
    } catch (err) {
      lastError = err;
    }
  }
  if (ownDir) await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

interface LaunchOptions {
  binary: string;
  dataDir: string;
  ownDir: boolean;
  startTimeoutMs: number;
}

async function launch(options: LaunchOptions): Promise<EtcdServer> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    "--name=claw-test",
    `--data-dir=${options.dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=claw-test=${peerUrl}`,
    "--initial-cluster-state=new",
    "--logger=zap",
    "--log-level=error",
  ];
  const env: NodeJS.ProcessEnv = { ...process.env };
  // etcd 3.4 refuses to start on anything but amd64 unless told the architecture is accepted.
  if (process.arch !== "x64") env.ETCD_UNSUPPORTED_ARCH = process.arch;
  const child = spawn(options.binary, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    await terminate(child, exited);
    if (options.ownDir) await rm(options.dataDir, { recursive: true, force: true });
  };
  try {
    await waitHealthy({ clientUrl, exited, timeoutMs: options.startTimeoutMs, stderr: () => stderr });
  } catch (err) {
    await terminate(child, exited);
    throw err;
  }
  return { endpoints: [clientUrl], dataDir: options.dataDir, stop };
}

interface HealthWait {
  clientUrl: string;
  exited: Promise<number | null>;
  timeoutMs: number;
  stderr: () => string;
}

async function waitHealthy(wait: HealthWait): Promise<void> {
  let exitCode: number | null | undefined;
  void wait.exited.then((code) => (exitCode = code ?? -1));
  const deadline = Date.now() + wait.timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`etcd exited with code ${exitCode} before becoming healthy:\n${wait.stderr()}`);
    }
    if (await healthy(wait.clientUrl)) return;
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  throw new Error(`etcd at ${wait.clientUrl} was not healthy after ${wait.timeoutMs} ms:\n${wait.stderr()}`);
}

async function healthy(clientUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: unknown };
    return res.ok && body.health === "true";
  } catch {
    return false;
  }
}

async function terminate(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not find a free port"))));
    });
  });
}
