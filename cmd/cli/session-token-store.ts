// Where `claw auth login` keeps its session token: a user and context of its own in the client config file,
// written atomically with mode 0600, which `claw auth logout` removes again.

import { rm } from "node:fs/promises";
import { UsageError } from "./cli-errors.js";
import { configWritePath, resolveClientConfig, type ClientConfigInputs, type ResolvedClientConfig } from "./config/client-config.js";
import { readKubeconfigFile, writeKubeconfigFile, type Kubeconfig, type KubeconfigUser } from "./config/kubeconfig.js";
import { addSession, createdByLogin, removeSession, sessionFile, sessionMarkOf } from "./config/session-context.js";
import { kubeconfigFor } from "./commands/config-command.js";

export interface StoredToken {
  /** The config file written. */
  path: string;
  /** The session's context (and user), now current. */
  context: string;
  /** The context that was current before, which logout makes current again. */
  previousContext?: string;
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

/**
 * Stores the session as its own user and context in configWritePath, made current, leaving the credentials
 * already there alone; makes that file from `resolved` when there is none.
 */
export async function storeSessionToken(opts: { inputs: ClientConfigInputs; resolved: ResolvedClientConfig; username: string; token: string }): Promise<StoredToken> {
  const path = configWritePath(opts.inputs);
  const existing = await readKubeconfigFile(path);
  const fresh = !existing || existing.contexts.length === 0;
  let base: Kubeconfig;
  let from: { cluster: string; transport?: KubeconfigUser };
  if (fresh) {
    const made = kubeconfigFor({ ...opts.resolved, credential: undefined });
    base = sessionFile(made.clusters[0]!, existing?.preferences);
    from = { cluster: made.clusters[0]!.name, transport: made.users[0]!.user };
  } else {
    base = existing;
    const chosen = base.contexts.find((c) => c.name === chooseContext(existing, path, opts.inputs.flags.context))!.context;
    const transport = base.users.find((u) => u.name === chosen.user)?.user;
    from = { cluster: chosen.cluster, ...(transport ? { transport } : {}) };
  }
  const { config, context } = addSession(base, { ...from, username: opts.username, token: opts.token });
  await writeKubeconfigFile(path, config);
  const previousContext = sessionMarkOf(config.contexts.find((c) => c.name === context)?.context)?.previousContext;
  return { path, context, ...(previousContext ? { previousContext } : {}), created: fresh };
}

export type ForgottenSession =
  /** The session's context and user were removed; `restored` is current again. */
  | { removed: "context"; context: string; restored?: string }
  /** The file login had made held nothing else, so it is gone. */
  | { removed: "file" }
  /** The token was in a user login did not add: only the token was removed. */
  | { removed: "token" };

/**
 * Takes the session out of `path` when the chosen context's user still holds `expected`: its context and
 * user, or the whole file when login made it and nothing else is left, or (a token login did not store as
 * its own context) just the token. Undefined when the file holds another token by now.
 */
export async function forgetSession(opts: { path: string; context?: string; expected: string }): Promise<ForgottenSession | undefined> {
  const config = await readKubeconfigFile(opts.path);
  if (!config) return undefined;
  const context = chooseContext(config, opts.path, opts.context);
  if (config.users.find((u) => u.name === userOf(config, context))?.user.token !== opts.expected) return undefined;
  const removed = removeSession(config, context);
  if (!removed) return (await replaceStoredToken({ ...opts, context })) ? { removed: "token" } : undefined;
  if (removed.config.contexts.length === 0 && createdByLogin(config)) {
    await rm(opts.path, { force: true });
    return { removed: "file" };
  }
  await writeKubeconfigFile(opts.path, removed.config);
  return { removed: "context", context, ...(removed.restored ? { restored: removed.restored } : {}) };
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
