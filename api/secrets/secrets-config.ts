// The [secrets] section of gateway.toml, parsed and checked once, with errors that name the key:
//
// [secrets]
//   master_key_env     the environment variable holding the master key (32 bytes as base64 or hex).
//   previous_keys_env  with master_key_env: variables holding older keys that only open values sealed
//                      before a rotation, e.g. ["CLAW_MASTER_KEY_OLD"].
//   key_file           a file of keys, one a line, the first sealing (default DATA_DIR/secrets/master.key,
//                      which the embedded store creates on its first start). Not with master_key_env.
//   keep_versions      how many versions of each secret are kept (1–100, default 10); older ciphertexts are dropped.

import { isAbsolute, join, resolve } from "node:path";

export interface SecretsConfig {
  masterKeyEnv?: string;
  previousKeysEnv: string[];
  /** Absolute; read when masterKeyEnv is absent. */
  keyFile: string;
  /** Whether key_file was left to its default, the only file the server may create. */
  keyFileIsDefault: boolean;
  keepVersions: number;
}

export class SecretsConfigError extends Error {
  override name = "SecretsConfigError";
}

export interface ParseSecretsOptions {
  /** Relative key files are resolved against it; the default key file is under it. */
  dataDir: string;
  /** Names the file in messages, e.g. "/etc/claw/gateway.toml". */
  source?: string;
}

const KEYS = ["master_key_env", "previous_keys_env", "key_file", "keep_versions"];
const DEFAULT_KEEP = 10;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const defaultKeyFile = (dataDir: string): string => join(dataDir, "secrets", "master.key");

export function parseSecretsConfig(raw: unknown, opts: ParseSecretsOptions): SecretsConfig {
  const where = `${opts.source ?? "gateway.toml"} [secrets]`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    if (raw !== undefined) throw new SecretsConfigError(`${where} must be a table`);
  }
  const t = (raw ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(t).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) throw new SecretsConfigError(`${where} has unknown key(s) ${unknown.join(", ")}; known keys: ${KEYS.join(", ")}`);

  const masterKeyEnv = envName(t.master_key_env, "master_key_env", where);
  const previousKeysEnv = envNames(t.previous_keys_env, where);
  const keyFile = t.key_file;
  if (keyFile !== undefined && (typeof keyFile !== "string" || keyFile === ""))
    throw new SecretsConfigError(`${where} key_file must be a file path, not ${JSON.stringify(keyFile)}`);
  if (masterKeyEnv !== undefined && keyFile !== undefined)
    throw new SecretsConfigError(`${where} sets both master_key_env and key_file; use one: the environment variable, or a file of keys one a line`);
  if (previousKeysEnv.length > 0 && masterKeyEnv === undefined)
    throw new SecretsConfigError(`${where} previous_keys_env needs master_key_env, the variable holding the key that seals new values (with key_file, list older keys on the lines after the first)`);
  if (masterKeyEnv !== undefined && previousKeysEnv.includes(masterKeyEnv))
    throw new SecretsConfigError(`${where} previous_keys_env lists ${masterKeyEnv}, which is already master_key_env`);
  const keep = t.keep_versions ?? DEFAULT_KEEP;
  if (typeof keep !== "number" || !Number.isInteger(keep) || keep < 1 || keep > 100)
    throw new SecretsConfigError(`${where} keep_versions must be a whole number from 1 to 100 (default ${DEFAULT_KEEP}), not ${JSON.stringify(keep)}`);
  return {
    keepVersions: keep,
    ...(masterKeyEnv !== undefined ? { masterKeyEnv } : {}),
    previousKeysEnv,
    keyFile: keyFile === undefined ? defaultKeyFile(opts.dataDir) : isAbsolute(keyFile) ? keyFile : resolve(opts.dataDir, keyFile),
    keyFileIsDefault: keyFile === undefined,
  };
}

function envName(value: unknown, key: string, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !ENV_NAME.test(value))
    throw new SecretsConfigError(`${where} ${key} must name an environment variable (letters, digits and _, such as "CLAW_MASTER_KEY"), not hold the key itself`);
  return value;
}

function envNames(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new SecretsConfigError(`${where} previous_keys_env must be a list of environment variable names, for example ["CLAW_MASTER_KEY_OLD"]`);
  const names = value.map((v) => envName(v, "previous_keys_env", where)!);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new SecretsConfigError(`${where} previous_keys_env lists ${duplicate} twice`);
  return names;
}
