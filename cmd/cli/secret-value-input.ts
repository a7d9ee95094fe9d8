// Where a new secret value comes from on the command line: a flag (visible in shell history), standard
// input, a file, or the server's generator. Exactly one; a value never goes anywhere but the request body.

import { readFile, stat } from "node:fs/promises";
import type { SecretValueFromGenerate, SecretValueFromGenerateCharset } from "../../api/types/secret.js";
import { UsageError } from "./cli-errors.js";

/** As the Secret CRD bounds spec.valueFrom.value. */
export const MAX_VALUE_BYTES = 1024 * 1024;
const CHARSETS: readonly SecretValueFromGenerateCharset[] = ["alphanumeric", "hex", "base64url", "printable"];
const LENGTH = { min: 16, max: 4096 };

export interface ValueFlags {
  /** --value or --new-value. */
  value?: string;
  valueStdin?: boolean;
  /** --file or --from-file. */
  file?: string;
  generate?: boolean;
  length?: string;
  charset?: string;
}

export interface ValueInputOptions {
  /** The command's own names for the value and file flags: `--value`/`--file` or `--new-value`/`--from-file`. */
  names: { value: string; file: string };
  /** No source flag means the server generates the value (create); otherwise it is a usage error (rotate). */
  generateByDefault: boolean;
  stdin: AsyncIterable<Uint8Array | string>;
  /** Told once when the value came from a visible argument. */
  warn: (text: string) => void;
}

export type ValueSource = { value: string } | { generate: SecretValueFromGenerate };

export async function readValueSource(flags: ValueFlags, opts: ValueInputOptions): Promise<ValueSource> {
  const { names } = opts;
  const given = [
    flags.value !== undefined && names.value,
    flags.valueStdin && "--value-stdin",
    flags.file !== undefined && names.file,
    flags.generate && "--generate",
  ].filter((f): f is string => typeof f === "string");
  if (given.length > 1) throw new UsageError(`give one of ${names.value}, --value-stdin, ${names.file} and --generate, not ${given.join(" and ")}`);
  const generatorFlags = [flags.length !== undefined && "--length", flags.charset !== undefined && "--charset"].filter((f): f is string => typeof f === "string");
  if (given.length === 1 && !flags.generate && generatorFlags.length > 0) throw new UsageError(`${generatorFlags.join(" and ")} go with --generate, not with ${given[0]}`);
  if (flags.value !== undefined) {
    opts.warn(`${names.value} leaves the secret in your shell history and the process list; prefer --value-stdin or ${names.file}`);
    return { value: checkedValue(flags.value, names.value) };
  }
  if (flags.valueStdin) return { value: checkedValue((await readStdinValue(opts.stdin)).replace(/\r?\n$/, ""), "the value read from standard input") };
  if (flags.file !== undefined) return { value: checkedValue(await readValueFile(flags.file, names.file), `the file ${flags.file}`) };
  if (!flags.generate && !opts.generateByDefault && generatorFlags.length === 0) {
    throw new UsageError(`say where the new value comes from: ${names.value} V, --value-stdin, ${names.file} FILE or --generate [--length N --charset C]`);
  }
  return { generate: generatorOf(flags) };
}

function generatorOf(flags: ValueFlags): SecretValueFromGenerate {
  const generate: SecretValueFromGenerate = {};
  if (flags.length !== undefined) {
    const length = Number(flags.length);
    if (!Number.isInteger(length) || length < LENGTH.min || length > LENGTH.max) throw new UsageError(`--length must be a whole number from ${LENGTH.min} to ${LENGTH.max}, not "${flags.length}"`);
    generate.length = length;
  }
  if (flags.charset !== undefined) {
    const charset = CHARSETS.find((c) => c === flags.charset);
    if (!charset) throw new UsageError(`--charset must be one of ${CHARSETS.join(", ")}, not "${flags.charset}"`);
    generate.charset = charset;
  }
  return generate;
}

function checkedValue(value: string, what: string): string {
  if (value === "") throw new UsageError(`${what} is empty; a secret value has at least one character`);
  if (Buffer.byteLength(value, "utf8") > MAX_VALUE_BYTES) throw new UsageError(`${what} is longer than 1 MiB, the most a secret value holds`);
  return value;
}

async function readStdinValue(stdin: AsyncIterable<Uint8Array | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    size += buf.length;
    // One byte of slack for the final line break that is not part of the value.
    if (size > MAX_VALUE_BYTES + 2) throw new UsageError("standard input is longer than 1 MiB, the most a secret value holds");
    chunks.push(buf);
  }
  return utf8(Buffer.concat(chunks), "standard input");
}

async function readValueFile(path: string, flag: string): Promise<string> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`${flag} ${path} is not a file`);
    if (info.size > MAX_VALUE_BYTES) throw new UsageError(`${flag} ${path} is larger than 1 MiB, the most a secret value holds`);
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${flag} ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  // The file's bytes exactly, final line break included: a PEM file is sent as it is.
  return utf8(bytes, `the file ${path}`);
}

function utf8(bytes: Buffer, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${what} is not UTF-8 text; a secret value is text, so encode binary data first (base64 FILE)`);
  }
}
