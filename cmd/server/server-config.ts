// `claw server` configuration: gateway.toml (smol-toml), then flags, then the environment variables
// the file names. The only module besides cmd/claw.ts that reads process.env is this one's caller.

import { DEFAULT_MAX_WATCHES_PER_IDENTITY } from "../../api/server/watch-limit.js";
import { parseStoreMaintenance, type StoreMaintenanceConfig } from "../../api/store/store-maintenance-config.js";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";

export interface ServerConfig {
  listen: { host: string; port: number };
  dataDir: string;
  /** Empty means the embedded store under dataDir. */
  etcdEndpoints: string[];
  maxRequestBytes: number;
  /** [server] max_watches_per_identity: open watches one identity may hold (429 past it). */
  maxWatchesPerIdentity?: number;
  /** [store] compaction_interval_seconds, vacuum_pages_per_step: the embedded store's scheduled compaction and housekeeping. */
  storeMaintenance?: StoreMaintenanceConfig;
  /** Sections of gateway.toml that later features read ([auth], [tls], [audit], [ddos]), kept verbatim. */
  sections: Record<string, unknown>;
  /** The config file that was read, if any. */
  configFile?: string;
  /** Its text as read, so that a section refused later names the line it read, without reading the file again. */
  configText?: string;
}

/** Where a section's refusals point: the file and its text (read once by loadServerConfig; read here only for a config built without it). */
export function configLocation(config: Pick<ServerConfig, "configFile" | "configText">): { source?: string; text?: string } {
  if (!config.configFile) return {};
  return { source: config.configFile, text: config.configText ?? readFileSync(config.configFile, "utf8") };
}

export interface ServerFlags {
  config?: string;
  dataDir?: string;
  listen?: string;
  etcdEndpoints?: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const KNOWN_SECTIONS = new Set(["server", "store", "auth", "tls", "ddos", "audit", "alerts", "controllers", "secrets", "nodes"]);

export const defaultDataDir = (home = homedir()): string => join(home, ".claw");

export function parseListen(value: string, source: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new ConfigError(`${source}: "${value}" is not HOST:PORT (for example 127.0.0.1:8080 or [::1]:8080)`);
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
}

export function parseEndpoints(value: string | string[], source: string): string[] {
  const list = (Array.isArray(value) ? value : value.split(",")).map((e) => String(e).trim()).filter(Boolean);
  for (const e of list) {
    if (!/^https?:\/\/[^/\s]+$/.test(e) && !/^[^/\s:]+:\d+$/.test(e))
      throw new ConfigError(`${source}: "${e}" is not an etcd endpoint (use http://HOST:PORT, for example http://127.0.0.1:2379)`);
  }
  return list.map((e) => (e.includes("://") ? e : `http://${e}`));
}

/** Reads gateway.toml (when given) and applies flags over it. */
export function loadServerConfig(flags: ServerFlags, home = homedir()): ServerConfig {
  let file: Record<string, unknown> = {};
  let text: string | undefined;
  const configFile = flags.config ? resolve(flags.config) : undefined;
  if (configFile) {
    try {
      text = readFileSync(configFile, "utf8");
    } catch (err) {
      throw new ConfigError(`cannot read the config file ${configFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      file = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : "";
      throw new ConfigError(`${configFile} is not valid TOML${where}: ${(err as Error).message.split("\n")[0]}`);
    }
    const unknown = Object.keys(file).filter((k) => !KNOWN_SECTIONS.has(k));
    if (unknown.length > 0) throw new ConfigError(`${configFile}: unknown section(s) ${unknown.map((k) => `[${k}]`).join(", ")}; known: ${[...KNOWN_SECTIONS].map((k) => `[${k}]`).join(", ")}`);
  }
  const server = section(file, "server", configFile);
  const store = section(file, "store", configFile);
  const where = (key: string) => `${configFile ?? "config"} [${key}]`;

  const listenText = flags.listen ?? stringKey(server, "listen", where("server")) ?? "127.0.0.1:8080";
  const dataDirText = flags.dataDir ?? stringKey(server, "data_dir", where("server")) ?? defaultDataDir(home);
  const endpointsRaw = flags.etcdEndpoints ?? (store.etcd_endpoints as string | string[] | undefined);
  const maxRequestBytes = server.max_request_bytes ?? 3 * 1024 * 1024;
  if (typeof maxRequestBytes !== "number" || !Number.isInteger(maxRequestBytes) || maxRequestBytes < 1024)
    throw new ConfigError(`${where("server")} max_request_bytes must be an integer of at least 1024`);
  const maxWatchesPerIdentity = server.max_watches_per_identity ?? DEFAULT_MAX_WATCHES_PER_IDENTITY;
  if (typeof maxWatchesPerIdentity !== "number" || !Number.isInteger(maxWatchesPerIdentity) || maxWatchesPerIdentity < 1)
    throw new ConfigError(`${where("server")} max_watches_per_identity must be a positive integer (default ${DEFAULT_MAX_WATCHES_PER_IDENTITY})`);

  const storeMaintenance = parseStoreMaintenance(store, (message) => new ConfigError(`${where("store")} ${message}`));

  const { server: _s, store: _st, ...sections } = file;
  return {
    listen: parseListen(listenText, flags.listen ? "--listen" : `${where("server")} listen`),
    dataDir: resolve(dataDirText.replace(/^~(?=\/|$)/, home)),
    etcdEndpoints: endpointsRaw ? parseEndpoints(endpointsRaw, flags.etcdEndpoints ? "--etcd-endpoints" : `${where("store")} etcd_endpoints`) : [],
    maxRequestBytes,
    maxWatchesPerIdentity,
    storeMaintenance,
    sections,
    ...(configFile ? { configFile } : {}),
    ...(text !== undefined ? { configText: text } : {}),
  };
}

function section(file: Record<string, unknown>, name: string, configFile?: string): Record<string, unknown> {
  const value = file[name] ?? {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ConfigError(`${configFile}: [${name}] must be a table`);
  return value as Record<string, unknown>;
}

function stringKey(table: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ConfigError(`${where} ${key} must be a string`);
  return value;
}

/** Reads a secret from the environment variable a config key names (`secret_env = "…"`); never logs it. */
export function secretFromEnv(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const value = env[variable];
  return value === undefined || value === "" ? undefined : value;
}
