// Where the CLI finds its server and credential: flags, environment, then the client config file.

import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { credentialTypeOf, type Credential } from "../../../api/client/credential.js";
import type { TlsOptions } from "../../../api/client/rest-client.js";
import { KubeconfigError, readKubeconfigFile, type Kubeconfig, type KubeconfigCluster, type KubeconfigUser } from "./kubeconfig.js";

/** Where `claw server` listens unless told otherwise (HTTPS, as it serves by default). */
export const DEFAULT_SERVER = "https://127.0.0.1:8080";

export interface ClientConfigFlags {
  config?: string;
  server?: string;
  token?: string;
  context?: string;
  insecureSkipTlsVerify?: boolean;
  certificateAuthority?: string;
}

export interface ClientConfigInputs {
  flags: ClientConfigFlags;
  env: Record<string, string | undefined>;
  homeDir: string;
}

export interface ResolvedCredential extends Credential {
  /** Where it came from, for messages (`CLAWBERNETES_API_KEY`, `--token`, `/home/x/.claw/config (user "admin")`). */
  source: string;
}

export interface ResolvedClientConfig {
  server: string;
  /** `--server`, the config file and cluster, or `default`. */
  serverSource: string;
  credential?: ResolvedCredential;
  tls: TlsOptions;
  /** The config file that was read, if any. */
  configPath?: string;
  /** Every path looked at, in order, for messages. */
  searched: string[];
  contextName?: string;
  /** The cluster and user entries as found (file references not yet inlined). */
  cluster?: KubeconfigCluster;
  user?: KubeconfigUser;
}

interface Candidate {
  path: string;
  /** Named explicitly (flag or variable): missing is an error, not a reason to look further. */
  explicit?: string;
}

export function configCandidates(inputs: ClientConfigInputs): Candidate[] {
  const clawDir = join(inputs.homeDir, ".claw");
  if (inputs.flags.config) return [{ path: resolve(inputs.flags.config), explicit: "--config" }];
  const fromEnv = inputs.env.CLAW_CONFIG;
  if (fromEnv) return [{ path: resolve(fromEnv), explicit: "CLAW_CONFIG" }];
  return [{ path: join(clawDir, "config") }, { path: join(clawDir, "admin.conf") }];
}

/** The file `claw auth login` should write: the one named by --config or CLAW_CONFIG, else ~/.claw/config. */
export const configWritePath = (inputs: ClientConfigInputs): string => configCandidates(inputs)[0]!.path;

const nonEmpty = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);

export async function resolveClientConfig(inputs: ClientConfigInputs): Promise<ResolvedClientConfig> {
  const { flags, env } = inputs;
  const searched: string[] = [];
  let configPath: string | undefined;
  let config: Kubeconfig | undefined;
  for (const candidate of configCandidates(inputs)) {
    searched.push(candidate.path);
    config = await readKubeconfigFile(candidate.path);
    if (config) {
      configPath = candidate.path;
      break;
    }
    if (candidate.explicit) throw new KubeconfigError(`the config file ${candidate.path} (from ${candidate.explicit}) does not exist`);
  }

  const selected = config && configPath ? selectContext(config, configPath, flags.context) : undefined;
  if (!config && flags.context) throw new KubeconfigError(`--context ${flags.context} was given but no config file was found (looked at ${searched.join(", ")})`);
  const baseDir = configPath ? dirname(configPath) : process.cwd();
  const where = (field: string) => `${configPath} (${field})`;

  const server = nonEmpty(flags.server) ?? selected?.cluster?.server ?? DEFAULT_SERVER;
  const serverSource = flags.server ? "--server" : selected?.cluster ? where(`cluster "${selected.clusterName}"`) : "default";
  checkServerUrl(server, serverSource);

  const credential = await resolveCredential({ flags, env, user: selected?.user, userName: selected?.userName, baseDir, where });
  const cluster = selected?.cluster;
  const user = selected?.user;
  const tls: TlsOptions = {
    insecureSkipVerify: flags.insecureSkipTlsVerify ?? cluster?.["insecure-skip-tls-verify"] ?? false,
  };
  const ca = flags.certificateAuthority
    ? await readReferenced(resolve(flags.certificateAuthority), "--certificate-authority")
    : await dataOrFile(cluster?.["certificate-authority-data"], cluster?.["certificate-authority"], baseDir, where("certificate-authority"));
  if (ca) tls.ca = ca;
  const cert = await dataOrFile(user?.["client-certificate-data"], user?.["client-certificate"], baseDir, where("client-certificate"));
  const key = await dataOrFile(user?.["client-key-data"], user?.["client-key"], baseDir, where("client-key"));
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  if (cluster?.["tls-server-name"]) tls.serverName = cluster["tls-server-name"];

  return {
    server,
    serverSource,
    ...(credential ? { credential } : {}),
    tls,
    ...(configPath ? { configPath } : {}),
    searched,
    ...(selected ? { contextName: selected.contextName } : {}),
    ...(cluster ? { cluster } : {}),
    ...(user ? { user } : {}),
  };
}

interface SelectedContext {
  contextName: string;
  clusterName: string;
  userName: string;
  cluster?: KubeconfigCluster;
  user?: KubeconfigUser;
}

function selectContext(config: Kubeconfig, path: string, wanted: string | undefined): SelectedContext | undefined {
  // With no current-context, a file of exactly one context means that one.
  const name = wanted ?? config["current-context"] ?? (config.contexts.length === 1 ? config.contexts[0]!.name : undefined);
  if (name === undefined) return undefined;
  const context = config.contexts.find((c) => c.name === name);
  if (!context) {
    const known = config.contexts.map((c) => c.name).join(", ") || "none";
    throw new KubeconfigError(`${path}: context "${name}"${wanted ? " (from --context)" : " (current-context)"} is not in the file; contexts: ${known}`);
  }
  const cluster = config.clusters.find((c) => c.name === context.context.cluster);
  if (!cluster) throw new KubeconfigError(`${path}: context "${name}" names cluster "${context.context.cluster}", which is not in clusters`);
  const user = config.users.find((u) => u.name === context.context.user);
  return { contextName: name, clusterName: cluster.name, userName: context.context.user, cluster: cluster.cluster, ...(user ? { user: user.user } : {}) };
}

async function resolveCredential(opts: {
  flags: ClientConfigFlags;
  env: Record<string, string | undefined>;
  user: KubeconfigUser | undefined;
  userName: string | undefined;
  baseDir: string;
  where: (field: string) => string;
}): Promise<ResolvedCredential | undefined> {
  const make = (value: string, source: string, type = credentialTypeOf(value)): ResolvedCredential => ({ type, value, source });
  const flag = nonEmpty(opts.flags.token);
  if (flag) return make(flag, "--token");
  const token = nonEmpty(opts.env.CLAWBERNETES_TOKEN?.trim());
  if (token) return make(token, "CLAWBERNETES_TOKEN");
  const apiKey = nonEmpty(opts.env.CLAWBERNETES_API_KEY?.trim());
  if (apiKey) return make(apiKey, "CLAWBERNETES_API_KEY", "apiKey");
  const inFile = nonEmpty(opts.user?.token);
  if (inFile) return make(inFile, opts.where(`user "${opts.userName}"`));
  if (opts.user?.tokenFile) {
    const path = isAbsolute(opts.user.tokenFile) ? opts.user.tokenFile : join(opts.baseDir, opts.user.tokenFile);
    const value = (await readReferenced(path, opts.where(`user "${opts.userName}" tokenFile`))).toString("utf8").trim();
    if (value) return make(value, `${path} (tokenFile of user "${opts.userName}")`);
  }
  return undefined;
}

async function dataOrFile(data: string | undefined, file: string | undefined, baseDir: string, what: string): Promise<Buffer | undefined> {
  if (data) return Buffer.from(data, "base64");
  if (file) return readReferenced(isAbsolute(file) ? file : join(baseDir, file), what);
  return undefined;
}

async function readReferenced(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new KubeconfigError(`cannot read ${path}, named by ${what}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function checkServerUrl(server: string, source: string): void {
  let url: URL | undefined;
  try {
    url = new URL(server);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new KubeconfigError(`the server URL "${server}" from ${source} is not an http:// or https:// URL (for example ${DEFAULT_SERVER})`);
  }
}
