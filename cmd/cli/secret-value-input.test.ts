import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readValueSource, type ValueFlags } from "./secret-value-input.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "claw-value-input-"));
  await writeFile(join(dir, "cert.pem"), "line1\nline2\n");
  await writeFile(join(dir, "binary"), Buffer.from([0xff, 0xfe, 0x00]));
  await writeFile(join(dir, "empty"), "");
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function read(flags: ValueFlags, opts: { stdin?: string; generateByDefault?: boolean } = {}) {
  const warnings: string[] = [];
  const source = await readValueSource(flags, {
    names: { value: "--value", file: "--file" },
    generateByDefault: opts.generateByDefault ?? true,
    stdin: (async function* () {
      if (opts.stdin !== undefined) yield opts.stdin;
    })(),
    warn: (t) => warnings.push(t),
  });
  return { source, warnings };
}

describe("readValueSource", () => {
  it.each([
    { name: "takes --value and warns about shell history", flags: { value: "v" }, want: { value: "v" }, warned: true },
    { name: "takes stdin without its final line break", flags: { valueStdin: true }, stdin: "piped\r\n", want: { value: "piped" }, warned: false },
    { name: "keeps inner line breaks from stdin", flags: { valueStdin: true }, stdin: "a\nb\n", want: { value: "a\nb" }, warned: false },
    { name: "takes a file exactly as it is", flags: { file: "cert.pem" }, want: { value: "line1\nline2\n" }, warned: false },
    { name: "asks the server to generate when no source is given", flags: {}, want: { generate: {} }, warned: false },
    { name: "passes the generator's length and charset", flags: { generate: true, length: "64", charset: "base64url" }, want: { generate: { length: 64, charset: "base64url" } }, warned: false },
    { name: "takes --length alone as --generate", flags: { length: "20" }, want: { generate: { length: 20 } }, warned: false },
  ])("$name", async ({ flags, stdin, want, warned }) => {
    const f = flags.file ? { ...flags, file: join(dir, flags.file) } : flags;
    const { source, warnings } = await read(f, stdin !== undefined ? { stdin } : {});
    expect(source).toEqual(want);
    expect(warnings.length > 0).toBe(warned);
  });

  it.each([
    { name: "two sources", flags: { value: "v", valueStdin: true }, message: "not --value and --value-stdin" },
    { name: "an empty value", flags: { value: "" }, message: "--value is empty" },
    { name: "empty standard input", flags: { valueStdin: true }, stdin: "\n", message: "the value read from standard input is empty" },
    { name: "a file that is not UTF-8", flags: { file: "binary" }, message: "is not UTF-8 text" },
    { name: "an empty file", flags: { file: "empty" }, message: "is empty" },
    { name: "a missing file", flags: { file: "missing" }, message: "cannot be read: ENOENT" },
    { name: "an unknown charset", flags: { generate: true, charset: "emoji" }, message: "--charset must be one of alphanumeric, hex, base64url, printable" },
    { name: "a length that is not a number", flags: { generate: true, length: "lots" }, message: "--length must be a whole number from 16 to 4096" },
  ])("refuses $name", async ({ flags, stdin, message }) => {
    const f = flags.file ? { ...flags, file: join(dir, flags.file) } : flags;
    await expect(read(f, stdin !== undefined ? { stdin } : {})).rejects.toThrow(message);
  });

  it("insists on a source when the command does not generate by default (rotate)", async () => {
    await expect(read({}, { generateByDefault: false })).rejects.toThrow("say where the new value comes from");
  });
});
