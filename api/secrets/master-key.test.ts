import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keyIdOf } from "./key-derivation.js";
import { loadKeyring, MasterKeyError, parseMasterKey, type LoadKeyringOptions } from "./master-key.js";
import { parseSecretsConfig } from "./secrets-config.js";

const masterA = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const masterB = new Uint8Array(32).fill(0xb2);
const hexOf = (k: Uint8Array) => Buffer.from(k).toString("hex");
const b64Of = (k: Uint8Array) => Buffer.from(k).toString("base64");

describe("parsing one master key", () => {
  const accepted = [
    { name: "accepts 64 hex digits", text: hexOf(masterA) },
    { name: "accepts upper-case hex", text: hexOf(masterA).toUpperCase() },
    { name: "accepts 44 base64 characters", text: b64Of(masterA) },
    { name: "accepts surrounding whitespace and a trailing newline", text: `  ${b64Of(masterA)}\n` },
  ];
  it.each(accepted)("$name", ({ text }) => {
    expect(parseMasterKey(text, "the environment variable K")).toEqual(masterA);
  });

  const refused = [
    { name: "refuses 31 bytes of hex", text: hexOf(masterA).slice(2) },
    { name: "refuses 33 bytes of base64", text: Buffer.alloc(33, 9).toString("base64") },
    { name: "refuses a passphrase", text: "correct horse battery staple is long enough" },
    { name: "refuses base64url", text: b64Of(new Uint8Array(32).fill(0xfb)).replace(/\+/g, "-").replace(/\//g, "_") },
    { name: "refuses an empty value", text: "" },
  ];
  it.each(refused)("$name, naming the source and the format but never echoing the value", ({ text }) => {
    let message = "";
    try {
      parseMasterKey(text, "the environment variable CLAW_MASTER_KEY");
    } catch (err) {
      expect(err).toBeInstanceOf(MasterKeyError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/^the environment variable CLAW_MASTER_KEY does not hold a master key: it must be 32 random bytes as 64 hex digits or 44 base64 characters/);
    if (text.trim() !== "") expect(message).not.toContain(text.trim().slice(0, 12));
  });
});

describe("loading the keyring", () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), "claw-keys-"));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const fixedRandom = (n: number) => new Uint8Array(n).fill(0x5a);
  const options = (env: Record<string, string> = {}, more: Partial<LoadKeyringOptions> = {}): LoadKeyringOptions => ({
    readEnv: (name) => env[name],
    random: fixedRandom,
    createDefaultKeyFile: false,
    ...more,
  });
  const writeKeyFile = (path: string, body: string, mode = 0o600) => {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, body, { mode });
    chmodSync(path, mode);
  };

  it("reads the primary and previous keys from the variables [secrets] names, the primary first", () => {
    const config = parseSecretsConfig({ master_key_env: "NEW", previous_keys_env: ["OLD"] }, { dataDir });
    const loaded = loadKeyring(config, options({ NEW: b64Of(masterB), OLD: hexOf(masterA) }));
    expect(loaded.keyring.ids).toEqual([keyIdOf(masterB), keyIdOf(masterA)]);
    expect(loaded.source).toBe("the environment variable NEW");
    expect(loaded.note).toBeUndefined();
  });

  const envRefusals: { name: string; env: Record<string, string>; message: RegExp }[] = [
    { name: "refuses an unset master variable, naming it and the key", env: {}, message: /\[secrets\] master_key_env names NEW, which is not set; set it to 32 random bytes/ },
    { name: "refuses an unset previous variable, naming it and the key", env: { NEW: b64Of(masterB) }, message: /\[secrets\] previous_keys_env names OLD, which is not set/ },
    { name: "refuses a malformed previous key, naming its variable", env: { NEW: b64Of(masterB), OLD: "short" }, message: /^the environment variable OLD does not hold a master key/ },
  ];
  it.each(envRefusals)("$name", ({ env, message }) => {
    const config = parseSecretsConfig({ master_key_env: "NEW", previous_keys_env: ["OLD"] }, { dataDir });
    expect(() => loadKeyring(config, options(env))).toThrow(message);
  });

  it("creates the default key file on the embedded store's first start: 256 bits, mode 0600, with a note on backing it up", () => {
    const config = parseSecretsConfig(undefined, { dataDir });
    const first = loadKeyring(config, options({}, { createDefaultKeyFile: true }));
    const path = join(dataDir, "secrets", "master.key");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, "secrets")).mode & 0o777).toBe(0o700);
    expect(first.keyring.ids).toEqual([keyIdOf(new Uint8Array(32).fill(0x5a))]);
    expect(first.note).toContain(path);
    expect(first.note).toMatch(/back it up/);
    expect(first.note).not.toContain(b64Of(new Uint8Array(32).fill(0x5a)));
    const again = loadKeyring(config, options({}, { createDefaultKeyFile: true, random: () => new Uint8Array(32).fill(1) }));
    expect(again.keyring.ids).toEqual(first.keyring.ids);
    expect(again.note).toBeUndefined();
  });

  it("reads a key file of several keys, skipping comments and blank lines, the first sealing", () => {
    const path = join(dataDir, "keys", "ring.key");
    writeKeyFile(path, `# rotated 2026-03\n${b64Of(masterB)}\n\n${hexOf(masterA)}\n`);
    const loaded = loadKeyring(parseSecretsConfig({ key_file: path }, { dataDir }), options());
    expect(loaded.keyring.primaryId).toBe(keyIdOf(masterB));
    expect(loaded.keyring.ids).toEqual([keyIdOf(masterB), keyIdOf(masterA)]);
    expect(loaded.source).toBe(`the key file ${path}`);
  });

  const fileRefusals: { name: string; config: unknown; setup: (path: string) => void; create: boolean; message: RegExp }[] = [
    { name: "refuses a missing default key file when the store is not the embedded one", config: undefined, setup: () => undefined, create: false, message: /master\.key does not exist; restore it from your backup/ },
    { name: "never creates a configured key file that is missing", config: { key_file: "elsewhere.key" }, setup: () => undefined, create: true, message: /elsewhere\.key does not exist/ },
    { name: "refuses a key file other users can read", config: { key_file: "open.key" }, setup: (p) => writeKeyFile(p, b64Of(masterA), 0o644), create: false, message: /readable by other users \(mode 0644\); run chmod 600 .*open\.key/ },
    { name: "refuses a key file without keys", config: { key_file: "empty.key" }, setup: (p) => writeKeyFile(p, "# nothing yet\n"), create: false, message: /holds no key/ },
    { name: "refuses a bad line, naming its number but not its text", config: { key_file: "bad.key" }, setup: (p) => writeKeyFile(p, `${b64Of(masterA)}\nnot-a-key-at-all\n`), create: false, message: /^line 2 of the key file .*bad\.key does not hold a master key/ },
  ];
  it.each(fileRefusals)("$name", ({ config: raw, setup, create, message }) => {
    const config = parseSecretsConfig(raw, { dataDir });
    setup(config.keyFile);
    let thrown: unknown;
    try {
      loadKeyring(config, options({}, { createDefaultKeyFile: create }));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(MasterKeyError);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain("not-a-key-at-all");
  });

  it("leaves an existing key file's content alone", () => {
    const path = join(dataDir, "secrets", "master.key");
    writeKeyFile(path, `${b64Of(masterA)}\n`);
    loadKeyring(parseSecretsConfig(undefined, { dataDir }), options({}, { createDefaultKeyFile: true }));
    expect(readFileSync(path, "utf8")).toBe(`${b64Of(masterA)}\n`);
  });
});
