// How the node agent runs the system's tools (ip, wg, wireguard-go, nft, iptables, tailscale): a program and its
// arguments, never a shell, so nothing the server sends can become a command. Tests pass a recording double.

import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface RunOptions {
  /** Written to the program's standard input, which is then closed; without it the input is empty. */
  input?: string;
  /** Variables added to (or replacing) the runner's environment for this one run. */
  env?: Record<string, string>;
}

export interface CommandResult {
  /** The exit status; 128 + the signal's number when a signal ended the program. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  run(file: string, args: readonly string[], opts?: RunOptions): Promise<CommandResult>;
}

/** The program could not be started: not on the PATH, or not executable. */
export class CommandNotFoundError extends Error {
  override name = "CommandNotFoundError";
  constructor(readonly file: string) {
    super(`${file}: not found on the PATH`);
  }
}

export const isCommandNotFound = (err: unknown): err is CommandNotFoundError => err instanceof CommandNotFoundError;

/** The program ran past the runner's time limit and was killed. */
export class CommandTimeoutError extends Error {
  override name = "CommandTimeoutError";
  constructor(
    readonly file: string,
    readonly timeoutMs: number,
  ) {
    super(`${file} did not finish within ${timeoutMs / 1000} s and was killed`);
  }
}

/** Signal numbers of the signals that usually end a program, for the shell's 128 + N status. */
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

export interface ProcessRunnerOptions {
  /** The environment every program starts with (and whose PATH finds it). */
  env: NodeJS.ProcessEnv;
  /** Kill a program that runs longer than this (default 60 s): a hung tool must not hang the agent. */
  timeoutMs?: number;
}

/** Runs programs as child processes through spawn, without a shell. */
export class ProcessCommandRunner implements CommandRunner {
  private readonly timeoutMs: number;

  constructor(private readonly opts: ProcessRunnerOptions) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        env: { ...this.opts.env, ...opts.env },
        stdio: ["pipe", "pipe", "pipe"],
        timeout: this.timeoutMs,
        killSignal: "SIGKILL",
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      child.on("error", (err: NodeJS.ErrnoException) => reject(err.code === "ENOENT" || err.code === "EACCES" ? new CommandNotFoundError(file) : err));
      // A program that exits before reading its input closes the pipe: that is its business, not an error here.
      child.stdin.on("error", () => {});
      child.stdin.end(opts.input ?? "");
      child.on("close", (code, signal) => {
        if (child.killed && signal === "SIGKILL") return reject(new CommandTimeoutError(file, this.timeoutMs));
        const status = code ?? 128 + (signal === null ? 0 : (SIGNAL_NUMBERS[signal] ?? 0));
        resolve({ code: status, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
      });
    });
  }
}

/** The first executable file of that name on the PATH (as a shell finds it), or undefined; a name with a slash is taken as a path. */
export function which(name: string, path: string | undefined = process.env.PATH): string | undefined {
  const candidates = name.includes("/") ? [name] : (path ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  return candidates.find((file) => {
    try {
      if (!statSync(file).isFile()) return false;
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
