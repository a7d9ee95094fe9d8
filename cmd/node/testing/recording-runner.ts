// A CommandRunner for unit tests: records every call and answers from a table of command-line prefixes, so a
// test states what `ip`, `wg` or `nft` would say and then asserts on exactly what was run.

import { CommandNotFoundError, type CommandResult, type CommandRunner, type RunOptions } from "../command-runner.js";

export interface RecordedCall {
  file: string;
  args: string[];
  input?: string;
  env?: Record<string, string>;
}

type Answer = Partial<CommandResult> | ((call: RecordedCall) => Partial<CommandResult> | Promise<Partial<CommandResult>>);

export class RecordingRunner implements CommandRunner {
  readonly calls: RecordedCall[] = [];
  private readonly answers: { prefix: string; answer: Answer }[] = [];
  private readonly absent = new Set<string>();

  /** Answer every command whose line (file and arguments joined by spaces) starts with `prefix`; the latest rule wins. */
  answer(prefix: string, answer: Answer): this {
    this.answers.unshift({ prefix, answer });
    return this;
  }

  /** Behave as if the program were not installed. */
  missing(file: string): this {
    this.absent.add(file);
    return this;
  }

  async run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    const call: RecordedCall = { file, args: [...args], ...(opts.input !== undefined ? { input: opts.input } : {}), ...(opts.env !== undefined ? { env: opts.env } : {}) };
    this.calls.push(call);
    if (this.absent.has(file)) throw new CommandNotFoundError(file);
    const line = commandLine(call);
    const rule = this.answers.find((a) => line === a.prefix || line.startsWith(`${a.prefix} `));
    const answer = typeof rule?.answer === "function" ? await rule.answer(call) : (rule?.answer ?? {});
    return { code: 0, stdout: "", stderr: "", ...answer };
  }

  /** Each call as one line, for asserting on the order and shape of what ran. */
  lines(): string[] {
    return this.calls.map(commandLine);
  }
}

export const commandLine = (call: { file: string; args: readonly string[] }): string => [call.file, ...call.args].join(" ");
