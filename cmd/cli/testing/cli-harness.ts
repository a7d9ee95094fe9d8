// Runs `claw` in-process for tests: captured output, a temporary home, no process globals.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../../api/machinery/clock.js";
import { runCli } from "../program.js";
import type { SignalSource } from "../run/signal-forwarding.js";
import { openForensicAuditSource } from "../../server/forensic-audit-source.js";

/** A text sink that lets a test wait for output instead of sleeping. */
export class CapturedOutput {
  text = "";
  private waiters: { test: (t: string) => boolean; resolve: () => void }[] = [];

  write(chunk: string): void {
    this.text += chunk;
    this.waiters = this.waiters.filter((w) => (w.test(this.text) ? (w.resolve(), false) : true));
  }

  /** Resolves once the captured text satisfies test (or contains the string). */
  until(want: string | ((t: string) => boolean)): Promise<void> {
    const test = typeof want === "string" ? (t: string) => t.includes(want) : want;
    if (test(this.text)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
}

/** Captured output that says it is a terminal. */
export class TerminalOutput extends CapturedOutput {
  readonly isTTY = true;
}

export interface ClawRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HarnessOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** A stream to use as stdin instead of `stdin` text, such as a FakeTerminal. */
  stdinStream?: AsyncIterable<Uint8Array | string>;
  signal?: AbortSignal;
  clock?: FakeClock;
  /** stderr says it is a terminal (isTTY), as process.stderr on a TTY: progress bars are drawn. */
  terminal?: boolean;
  /** Process signals for `claw run` to pass on (an EventEmitter the test emits on); the real process otherwise. */
  signals?: SignalSource;
}

export class CliHarness {
  constructor(
    readonly homeDir: string,
    readonly clock: FakeClock,
  ) {}

  static async create(clock = new FakeClock(Date.parse("2026-01-01T01:00:00Z"))): Promise<CliHarness> {
    return new CliHarness(await mkdtemp(join(tmpdir(), "claw-cli-")), clock);
  }

  /** Starts `claw ARGS`; the outputs fill while it runs. */
  start(args: string[], opts: HarnessOptions = {}): { stdout: CapturedOutput; stderr: CapturedOutput; done: Promise<ClawRun> } {
    const stdout = new CapturedOutput();
    const stderr = opts.terminal ? new TerminalOutput() : new CapturedOutput();
    const stdin =
      opts.stdinStream ??
      (async function* () {
        if (opts.stdin !== undefined) yield opts.stdin;
      })();
    const done = runCli(args, {
      stdout,
      stderr,
      stdin,
      env: opts.env ?? {},
      homeDir: this.homeDir,
      clock: opts.clock ?? this.clock,
      version: "v9.9.9-test",
      openForensicAuditSource,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.signals ? { processSignals: opts.signals } : {}),
    }).then((code) => ({ code, stdout: stdout.text, stderr: stderr.text }));
    return { stdout, stderr, done };
  }

  run(args: string[], opts: HarnessOptions = {}): Promise<ClawRun> {
    return this.start(args, opts).done;
  }

  async dispose(): Promise<void> {
    await rm(this.homeDir, { recursive: true, force: true });
  }
}
