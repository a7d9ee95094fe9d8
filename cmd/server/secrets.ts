// `claw server`'s secrets module from gateway.toml: [secrets] parsed and the keyring loaded before anything
// starts. On the embedded store the first start creates the master key file (0600) and says where it is;
// servers sharing etcd must share one key, so there it must be configured.

import { loadKeyring } from "../../api/secrets/master-key.js";
import { parseSecretsConfig } from "../../api/secrets/secrets-config.js";
import { SecretsModule } from "../../api/secrets/secrets-module.js";
import type { ModuleContext } from "../../api/server/module.js";
import type { ServerConfig } from "./server-config.js";

export interface SecretsModuleSetup {
  factory: (ctx: ModuleContext) => SecretsModule;
  /** Said once at start when a key file was created: where it is and to back it up. */
  note?: string;
}

/** The master key's variable when gateway.toml names none: servers on one etcd set it to one shared key. */
export const DEFAULT_MASTER_KEY_ENV = "CLAW_MASTER_KEY";

export function secretsModuleSetup(opts: { config: ServerConfig; env: NodeJS.ProcessEnv; random: (n: number) => Uint8Array }): SecretsModuleSetup {
  const { config } = opts;
  const parsed = parseSecretsConfig(config.sections.secrets, { dataDir: config.dataDir, ...(config.configFile ? { source: config.configFile } : {}) });
  const fromDefaultEnv = parsed.masterKeyEnv === undefined && parsed.keyFileIsDefault && (opts.env[DEFAULT_MASTER_KEY_ENV] ?? "") !== "";
  const secrets = fromDefaultEnv ? { ...parsed, masterKeyEnv: DEFAULT_MASTER_KEY_ENV } : parsed;
  const etcd = config.etcdEndpoints.length > 0;
  if (etcd && secrets.masterKeyEnv === undefined && secrets.keyFileIsDefault)
    throw new Error(
      `servers on etcd must share one master key: set ${DEFAULT_MASTER_KEY_ENV} to 32 random bytes (openssl rand -base64 32) on every server, or name a variable or key file in [secrets] master_key_env / key_file`,
    );
  const loaded = loadKeyring(secrets, { readEnv: (name) => opts.env[name], random: opts.random, createDefaultKeyFile: !etcd });
  return {
    factory: (ctx) => new SecretsModule(ctx, { keyring: loaded.keyring, keySource: loaded.source, keepVersions: secrets.keepVersions }),
    ...(loaded.note ? { note: loaded.note } : {}),
  };
}
