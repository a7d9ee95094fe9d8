// Reading an MFA code: from --code, else typed at the terminal (masked), else the first line of standard input.

import { isApiError } from "../../api/machinery/errors.js";
import { MFA_REQUIRED_REASON } from "../../api/types/mfa-api.js";
import { UsageError } from "./cli-errors.js";
import type { TextSink } from "./cli-session.js";
import { promptHidden, readAllStdin, terminalOf } from "./password-input.js";

export interface ReadCodeOptions {
  flag: string | undefined;
  stdin: AsyncIterable<Uint8Array | string>;
  prompt: TextSink;
  /** What to ask: "MFA code: ". */
  question: string;
  /** The command to suggest when there is neither a terminal nor a line on stdin. */
  command: string;
  /** Standard input already gave the password: do not read it again. */
  stdinUsed?: boolean;
}

/** The code, trimmed; undefined when there was none to read (no terminal, empty stdin). */
export async function readCode(opts: ReadCodeOptions): Promise<string | undefined> {
  if (opts.flag !== undefined) return opts.flag.trim();
  const terminal = terminalOf(opts.stdin);
  if (terminal) {
    const code = (await promptHidden({ input: terminal, output: opts.prompt, prompt: opts.question })).trim();
    if (code === "") throw new UsageError("no code was typed");
    return code;
  }
  if (opts.stdinUsed) return undefined;
  const line = (await readAllStdin(opts.stdin)).split(/\r?\n/)[0]?.trim() ?? "";
  return line === "" ? undefined : line;
}

/** The login's 401 that asks for a code with the password (the server's MFARequired cause). */
export const isMfaRequired = (err: unknown): boolean =>
  isApiError(err) && err.code === 401 && (err.details?.causes ?? []).some((c) => c.reason === MFA_REQUIRED_REASON);
