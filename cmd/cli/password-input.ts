// Reading a password: from a terminal in raw mode (a `*` per character, never the text), or from standard input.

import { StringDecoder } from "node:string_decoder";
import { UsageError } from "./cli-errors.js";
import type { TextSink } from "./cli-session.js";

/** The parts of a TTY read stream (process.stdin on a terminal) the prompt uses. */
export interface TerminalInput {
  isTTY: true;
  setRawMode(raw: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  removeListener(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  removeListener(event: "end", listener: () => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** The terminal behind stdin, or undefined when stdin is a pipe, a file or a test's text. */
export function terminalOf(stdin: unknown): TerminalInput | undefined {
  const s = stdin as Partial<TerminalInput> | null;
  return typeof s === "object" && s !== null && s.isTTY === true && typeof s.setRawMode === "function" && typeof s.on === "function" ? (s as TerminalInput) : undefined;
}

/** Raised when the person at the terminal presses Ctrl-C or Ctrl-D instead of typing a password. */
export class PromptCancelled extends Error {
  override name = "PromptCancelled";
  constructor() {
    super("password entry cancelled");
  }
}

const ENTER = new Set(["\r", "\n"]);
const ERASE = new Set(["\u007f", "\b"]);

/** Prompts on `output` and reads one line from the terminal in raw mode, echoing `mask` (default `*`) per character. */
export function promptHidden(opts: { input: TerminalInput; output: TextSink; prompt: string; mask?: string }): Promise<string> {
  const { input, output } = opts;
  const mask = opts.mask ?? "*";
  output.write(opts.prompt);
  return new Promise<string>((resolve, reject) => {
    const decoder = new StringDecoder("utf8");
    let value = "";
    let escape = false;
    const finish = (err?: Error) => {
      input.removeListener("data", onData);
      input.removeListener("end", onEnd);
      input.setRawMode(false);
      input.pause();
      output.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onEnd = () => finish(value ? undefined : new PromptCancelled());
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
      for (const ch of text) {
        // An escape sequence (arrow keys, Home, …) ends at its first letter or '~'.
        if (escape) {
          if (/[A-Za-z~]/.test(ch)) escape = false;
          continue;
        }
        if (ENTER.has(ch)) return finish();
        if (ch === "\u0003") return finish(new PromptCancelled());
        if (ch === "\u0004") return finish(value ? undefined : new PromptCancelled());
        if (ch === "\u001b") escape = true;
        else if (ERASE.has(ch)) {
          if (value) {
            value = [...value].slice(0, -1).join("");
            if (mask) output.write("\b \b");
          }
        } else if (ch === "\u0015") {
          if (mask) output.write("\b \b".repeat([...value].length));
          value = "";
        } else if (ch >= " ") {
          value += ch;
          output.write(mask);
        }
      }
    };
    input.setRawMode(true);
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume();
  });
}

const STDIN_LIMIT = 64 * 1024;

/** Standard input as text, up to 64 KiB (a password, not a file). */
export async function readAllStdin(stdin: AsyncIterable<Uint8Array | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    size += buf.length;
    if (size > STDIN_LIMIT) throw new UsageError("standard input is longer than 64 KiB; pipe in only the password");
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The lines of a secret read from stdin: the final line break is not part of the password. */
export function stdinLines(text: string, count: number): string[] {
  const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
  return count === 1 ? [lines.join("\n")] : lines.slice(0, count);
}

export interface ReadPasswordOptions {
  stdin: AsyncIterable<Uint8Array | string>;
  /** Where the prompt goes (stderr, so stdout stays clean for --print-token). */
  prompt: TextSink;
  /** --password-stdin was given. */
  fromStdin: boolean;
  /** The command, for the hint when there is no terminal: `claw auth login --username admin`. */
  command: string;
  /** Ask for the current password first (set-password --current); from stdin it is the first line. */
  current?: boolean;
  /** Ask twice on a terminal and insist they match (setting a new password). */
  confirm?: boolean;
}

/** The password (and the current one when asked), typed at the terminal or read from stdin; never empty. */
export async function readPassword(opts: ReadPasswordOptions): Promise<{ password: string; current?: string }> {
  if (opts.fromStdin) {
    const lines = stdinLines(await readAllStdin(opts.stdin), opts.current ? 2 : 1);
    const [first = "", second = ""] = lines;
    const [current, password] = opts.current ? [first, second] : [undefined, first];
    if (current === "") throw new UsageError("the current password read from standard input is empty; pipe the current password, a line break, then the new one");
    if (password === "") throw new UsageError(`the password read from standard input is empty${opts.current ? " (the new password is its second line)" : ""}`);
    return { password, ...(current !== undefined ? { current } : {}) };
  }
  const terminal = terminalOf(opts.stdin);
  if (!terminal) {
    throw new UsageError(
      `standard input is not a terminal, so claw cannot prompt for the password: pass --password-stdin and pipe it in, ` +
        `e.g. printf '%s\\n' "$PASSWORD" | ${opts.command} --password-stdin`,
    );
  }
  const ask = async (prompt: string) => {
    const value = await promptHidden({ input: terminal, output: opts.prompt, prompt });
    if (value === "") throw new UsageError("no password was typed");
    return value;
  };
  const current = opts.current ? await ask("Current password: ") : undefined;
  const password = await ask(opts.current || opts.confirm ? "New password: " : "Password: ");
  if (opts.confirm && (await ask("Retype new password: ")) !== password) throw new UsageError("the two passwords did not match; nothing was changed");
  return { password, ...(current !== undefined ? { current } : {}) };
}
