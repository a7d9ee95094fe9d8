// One run of `claw run`'s command as a child process: claw's own standard streams when they are real
// (so the command sees the terminal), piped into the CLI's sinks otherwise (tests); its exit status in
// the shell's terms (128 + the signal number when a signal ended it).

import { spawn, type StdioOptions } from "node:child_process";
import { constants } from "node:os";
import type { TextSink } from "../cli-session.js";

export interface ChildStreams {
  stdin: unknown;
  stdout: TextSink;
  stderr: TextSink;
}

export interface ChildExit {
  code: number;
  /** Why the command could not start (not found, not executable), for a message; absent when it ran. */
  startError?: string;
}

export interface RunningChild {
  /** Resolves once the process has ended and its output has been passed on. */
  readonly done: Promise<ChildExit>;
  readonly exited: boolean;
  /** Sends a signal; false when the process is gone already. */
  kill(signal: NodeJS.Signals): boolean;
}

/** A stream's file descriptor when it is a real one (process.stdout), so the child can inherit it. */
const fdOf = (stream: unknown): number | undefined => {
  const fd = (stream as { fd?: unknown } | null)?.fd;
  return typeof fd === "number" ? fd : undefined;
};

/** The shell's exit status of a process that ended by itself (code) or by a signal. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? constants.signals[signal] : undefined;
  return number !== undefined ? 128 + number : 1;
}

export function startChild(opts: { file: string; args: readonly string[]; env: Record<string, string>; streams: ChildStreams }): RunningChild {
  const { streams } = opts;
  const stdio: StdioOptions = [fdOf(streams.stdin) ?? "ignore", fdOf(streams.stdout) ?? "pipe", fdOf(streams.stderr) ?? "pipe"];
  const child = spawn(opts.file, [...opts.args], { env: opts.env, stdio });
  for (const [from, to] of [[child.stdout, streams.stdout], [child.stderr, streams.stderr]] as const) {
    if (!from) continue;
    from.setEncoding("utf8");
    from.on("data", (text: string) => to.write(text));
  }
  let exited = false;
  const done = new Promise<ChildExit>((resolve) => {
    child.on("error", (err: NodeJS.ErrnoException) => {
      // Only a failure to start arrives without an exit (a failed kill of a running child is reported by kill()).
      if (child.pid !== undefined) return;
      exited = true;
      const notFound = err.code === "ENOENT";
      resolve({ code: notFound ? 127 : 126, startError: notFound ? `${opts.file}: command not found` : `${opts.file}: cannot run it (${err.code ?? err.message})` });
    });
    child.once("close", (code, signal) => {
      if (child.pid === undefined) return;
      exited = true;
      resolve({ code: exitStatus(code, signal) });
    });
  });
  return {
    done,
    get exited() {
      return exited;
    },
    kill: (signal) => {
      if (exited || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
      try {
        return child.kill(signal);
      } catch {
        return false;
      }
    },
  };
}
