// Where `claw auth login` keeps its session token: the user entry of a context in the client config file,
// written atomically with mode 0600.

import { UsageError } from "./cli-errors.js";
import { configWritePath, resolveClientConfig, type ClientConfigInputs, type ResolvedClientConfig } from "./config/client-config.js";
import { readKubeconfigFile, withUserToken, writeKubeconfigFile, type Kubeconfig } from "./config/kubeconfig.js";
import { kubeconfigFor } from "./commands/config-command.js";

export interface StoredToken {
  /** The config file written. */
  path: string;
  context: string;
  /** The kubeconfig user entry that holds the token. */
  user: string;
  /** The file did not exist (or had no context) and was made from the server and TLS settings in use. */
  created: boolean;
}

/**
 * The server and TLS settings to log in with. When the file login will write does not exist yet (a new
 * --config FILE), they come from the flags and the usual defaults instead of failing on the missing file.
 * Refuses a --server that differs from the server of the file the token would be stored in.
 */
export async function resolveLoginTarget(inputs: ClientConfigInputs, opts: { storing: boolean }): Promise<ResolvedClientConfig> {
  const path = configWritePath(inputs);
  if (await readKubeconfigFile(path)) {
    const resolved = await resolveClientConfig(inputs);
    const fileServer = resolved.cluster?.server;
    // The token must not be stored where it would be sent to a server other than the one that issued it.
    if (opts.storing && resolved.configPath === path && fileServer && fileServer !== resolved.server) {
      throw new UsageError(
        `--server ${resolved.server} is not the server of context "${resolved.contextName ?? ""}" in ${path} (${fileServer}), ` +
          `where the token would be stored; log in without --server, or keep this session in another file with --config FILE`,
      );
    }
    return resolved;
  }
  return resolveClientConfig({ ...inputs, flags: { ...inputs.flags, config: undefined }, env: { ...inputs.env, CLAW_CONFIG: undefined } });
}

/** Stores the token for the user of the chosen context of configWritePath, or makes that file from `resolved`. */
export async function storeSessionToken(opts: { inputs: ClientConfigInputs; resolved: ResolvedClientConfig; token: string }): Promise<StoredToken> {
  const path = configWritePath(opts.inputs);
  const existing = await readKubeconfigFile(path);
  const fresh = !existing || existing.contexts.length === 0;
  const base: Kubeconfig = fresh ? { ...kubeconfigFor({ ...opts.resolved, credential: undefined }), ...(existing?.preferences ? { preferences: existing.preferences } : {}) } : existing;
  const context = chooseContext(base, path, opts.inputs.flags.context);
  const next = withUserToken(base, { token: opts.token, context });
  await writeKubeconfigFile(path, next);
  return { path, context, user: userOf(next, context), created: fresh };
}

/**
 * Sets (or with `next` undefined, removes) the token of the chosen context's user in `path`, only when it
 * still holds `expected`. Returns whether the file changed.
 */
export async function replaceStoredToken(opts: { path: string; context?: string; expected: string; next?: string }): Promise<boolean> {
  const config = await readKubeconfigFile(opts.path);
  if (!config) return false;
  const context = chooseContext(config, opts.path, opts.context);
  const userName = userOf(config, context);
  const entry = config.users.find((u) => u.name === userName);
  if (entry?.user.token !== opts.expected) return false;
  const users = config.users.map((u) => {
    if (u.name !== userName) return u;
    const { token: _old, ...rest } = u.user;
    return { name: u.name, user: opts.next === undefined ? rest : { ...rest, token: opts.next } };
  });
  await writeKubeconfigFile(opts.path, { ...config, users });
  return true;
}

/** Whether the credential in use is the `token` field of the config file's user (which claw can rewrite). */
export const tokenIsFromConfigFile = (resolved: ResolvedClientConfig): resolved is ResolvedClientConfig & { configPath: string } =>
  resolved.configPath !== undefined && resolved.credential !== undefined && resolved.credential.source.startsWith(`${resolved.configPath} (user `);

function chooseContext(config: Kubeconfig, path: string, wanted: string | undefined): string {
  const name = wanted ?? config["current-context"] ?? (config.contexts.length === 1 ? config.contexts[0]!.name : undefined);
  if (name === undefined) throw new UsageError(`${path} has several contexts and no current-context; say which one holds the session with --context NAME`);
  if (!config.contexts.some((c) => c.name === name)) {
    throw new UsageError(`${path} has no context "${name}"; contexts: ${config.contexts.map((c) => c.name).join(", ") || "none"}`);
  }
  return name;
}

const userOf = (config: Kubeconfig, context: string): string => config.contexts.find((c) => c.name === context)?.context.user ?? "";
