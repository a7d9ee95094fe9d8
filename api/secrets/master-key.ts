// Loading the master keys into a Keyring: from environment variables named in [secrets], or from a key
// file (one key a line, the first sealing). On the embedded store's first start the default key file is
// created with a fresh 256-bit key, mode 0600, and the caller is told where it is and how to back it up.

import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { MASTER_KEY_BYTES } from "./key-derivation.js";
import { Keyring } from "./keyring.js";
import type { SecretsConfig } from "./secrets-config.js";

export class MasterKeyError extends Error {
  override name = "MasterKeyError";
}

const FORMAT = `${MASTER_KEY_BYTES} random bytes as 64 hex digits or 44 base64 characters (for example: openssl rand -base64 ${MASTER_KEY_BYTES})`;
const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/** Reads one key; the message names where it came from and the expected format, never the text itself. */
export function parseMasterKey(text: string, source: string): Uint8Array {
  const trimmed = text.trim();
  if (HEX.test(trimmed)) return new Uint8Array(Buffer.from(trimmed, "hex"));
  if (BASE64.test(trimmed)) {
    const bytes = Buffer.from(trimmed, "base64");
    if (bytes.length === MASTER_KEY_BYTES && bytes.toString("base64") === trimmed) return new Uint8Array(bytes);
  }
  throw new MasterKeyError(`${source} does not hold a master key: it must be ${FORMAT}`);
}

export interface LoadKeyringOptions {
  /** Reads an environment variable (only cmd/ touches process.env). */
  readEnv: (name: string) => string | undefined;
  random: (n: number) => Uint8Array;
  /** The embedded store: create the default key file when it is missing. Never for etcd, whose servers must share one key. */
  createDefaultKeyFile: boolean;
}

export interface LoadedKeyring {
  keyring: Keyring;
  /** Where the keys came from, for messages. */
  source: string;
  /** Set when a key file was created: tell the operator where it is and to back it up. */
  note?: string;
}

export function loadKeyring(config: SecretsConfig, opts: LoadKeyringOptions): LoadedKeyring {
  if (config.masterKeyEnv !== undefined) {
    const keys = [config.masterKeyEnv, ...config.previousKeysEnv].map((name) => {
      const value = opts.readEnv(name);
      const key = name === config.masterKeyEnv ? "master_key_env" : "previous_keys_env";
      if (value === undefined || value.trim() === "") throw new MasterKeyError(`[secrets] ${key} names ${name}, which is not set; set it to ${FORMAT}`);
      return parseMasterKey(value, `the environment variable ${name}`);
    });
    return { keyring: new Keyring(keys), source: `the environment variable ${config.masterKeyEnv}` };
  }
  const source = `the key file ${config.keyFile}`;
  let text: string;
  try {
    text = readFileSync(config.keyFile, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new MasterKeyError(`cannot read ${source}: ${code ?? (err as Error).message}`);
    if (!config.keyFileIsDefault || !opts.createDefaultKeyFile)
      throw new MasterKeyError(`${source} does not exist; restore it from your backup, or create one with ${FORMAT} (then chmod 600 it)`);
    return createKeyFile(config.keyFile, opts.random);
  }
  checkPrivate(config.keyFile, source);
  const lines = text.split("\n").map((line) => line.trim());
  const keys = lines.flatMap((line, i) => (line === "" || line.startsWith("#") ? [] : [parseMasterKey(line, `line ${i + 1} of ${source}`)]));
  if (keys.length === 0) throw new MasterKeyError(`${source} holds no key; it must hold ${FORMAT}, one a line, the first sealing new values`);
  return { keyring: new Keyring(keys), source };
}

function createKeyFile(path: string, random: (n: number) => Uint8Array): LoadedKeyring {
  const key = random(MASTER_KEY_BYTES);
  if (key.length !== MASTER_KEY_BYTES) throw new RangeError(`random(${MASTER_KEY_BYTES}) returned ${key.length} bytes`);
  const body = [
    "# claw secrets master keys: one a line; the first seals new values, the others only open older ones.",
    "# Without this file the stored secrets cannot be read. Back it up apart from the store.",
    Buffer.from(key).toString("base64"),
    "",
  ].join("\n");
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // wx: never overwrite a key another process wrote meanwhile.
    writeFileSync(path, body, { mode: 0o600, flag: "wx" });
  } catch (err) {
    throw new MasterKeyError(`cannot create the master key file ${path}: ${(err as Error).message}`);
  }
  chmodSync(path, 0o600);
  const note = `created the secrets master key ${path} (mode 0600); back it up now and keep the copy apart from the store's backups (for example: cp ${path} /secure/backup/): without it no stored secret can be read`;
  return { keyring: new Keyring([key]), source: `the key file ${path}`, note };
}

/** A key file others can read is refused, as ssh refuses a private key. */
function checkPrivate(path: string, source: string): void {
  if (process.platform === "win32") return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new MasterKeyError(`${source} is readable by other users (mode ${mode.toString(8).padStart(4, "0")}); run chmod 600 ${path}`);
}
