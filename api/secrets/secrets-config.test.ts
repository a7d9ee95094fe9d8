import { describe, expect, it } from "vitest";
import { parseSecretsConfig, SecretsConfigError, type SecretsConfig } from "./secrets-config.js";

const dataDir = "/var/lib/claw";
const parse = (raw: unknown) => parseSecretsConfig(raw, { dataDir, source: "/etc/claw/gateway.toml" });

describe("parsing [secrets]", () => {
  const accepted: { name: string; raw: unknown; want: SecretsConfig }[] = [
    { name: "no section means the default key file under the data directory", raw: undefined, want: { keepVersions: 10, previousKeysEnv: [], keyFile: "/var/lib/claw/secrets/master.key", keyFileIsDefault: true } },
    {
      name: "master_key_env with previous_keys_env reads the keys from those variables",
      raw: { master_key_env: "CLAW_MASTER_KEY", previous_keys_env: ["CLAW_MASTER_KEY_OLD"] },
      want: { keepVersions: 10, masterKeyEnv: "CLAW_MASTER_KEY", previousKeysEnv: ["CLAW_MASTER_KEY_OLD"], keyFile: "/var/lib/claw/secrets/master.key", keyFileIsDefault: true },
    },
    { name: "a relative key_file is under the data directory", raw: { key_file: "keys/master.key" }, want: { keepVersions: 10, previousKeysEnv: [], keyFile: "/var/lib/claw/keys/master.key", keyFileIsDefault: false } },
    { name: "keep_versions sets how many versions are kept", raw: { keep_versions: 3 }, want: { keepVersions: 3, previousKeysEnv: [], keyFile: "/var/lib/claw/secrets/master.key", keyFileIsDefault: true } },
    { name: "an absolute key_file is kept", raw: { key_file: "/etc/claw/master.key" }, want: { keepVersions: 10, previousKeysEnv: [], keyFile: "/etc/claw/master.key", keyFileIsDefault: false } },
  ];
  it.each(accepted)("$name", ({ raw, want }) => {
    expect(parse(raw)).toEqual(want);
  });

  const refused: { name: string; raw: unknown; message: RegExp }[] = [
    { name: "refuses keep_versions outside 1–100", raw: { keep_versions: 0 }, message: /keep_versions must be a whole number from 1 to 100/ },
    { name: "refuses a section that is not a table", raw: "CLAW_MASTER_KEY", message: /\[secrets\] must be a table/ },
    { name: "refuses an unknown key, naming it and the known ones", raw: { master_key: "abc" }, message: /unknown key\(s\) master_key; known keys: master_key_env, previous_keys_env, key_file, keep_versions/ },
    { name: "refuses a master_key_env that looks like a key rather than a variable name", raw: { master_key_env: "q8Lk+2vN/x==" }, message: /master_key_env must name an environment variable/ },
    { name: "refuses a master_key_env that is not a string", raw: { master_key_env: 42 }, message: /master_key_env must name an environment variable/ },
    { name: "refuses previous_keys_env that is not a list", raw: { master_key_env: "K", previous_keys_env: "OLD" }, message: /previous_keys_env must be a list/ },
    { name: "refuses previous_keys_env holding a non-name", raw: { master_key_env: "K", previous_keys_env: ["OLD-KEY"] }, message: /previous_keys_env must name an environment variable/ },
    { name: "refuses previous_keys_env without master_key_env", raw: { previous_keys_env: ["OLD"] }, message: /previous_keys_env needs master_key_env/ },
    { name: "refuses previous_keys_env listing the master variable", raw: { master_key_env: "K", previous_keys_env: ["K"] }, message: /lists K, which is already master_key_env/ },
    { name: "refuses previous_keys_env listing a variable twice", raw: { master_key_env: "K", previous_keys_env: ["OLD", "OLD"] }, message: /lists OLD twice/ },
    { name: "refuses both master_key_env and key_file", raw: { master_key_env: "K", key_file: "/k" }, message: /both master_key_env and key_file/ },
    { name: "refuses an empty key_file", raw: { key_file: "" }, message: /key_file must be a file path/ },
  ];
  it.each(refused)("$name", ({ raw, message }) => {
    expect(() => parse(raw)).toThrow(SecretsConfigError);
    expect(() => parse(raw)).toThrow(message);
    expect(() => parse(raw)).toThrow(/^\/etc\/claw\/gateway\.toml \[secrets\]/);
  });
});
