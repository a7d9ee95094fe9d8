// The [audit] and [audit.export] sections of gateway.toml, parsed and checked once, with errors that say
// which key is wrong and what it takes.

import { isAbsolute, join, resolve } from "node:path";

export interface AuditExportConfig {
  enabled: boolean;
  /** http(s) URL the SIEM ingests at. */
  endpoint: string;
  format: "json" | "jsonl";
  batchSize: number;
  /** Per-request deadline. */
  timeoutMs: number;
  /** Backoff between retries doubles from 1 s up to this. */
  maxBackoffMs: number;
  /** An environment variable holding a bearer token for the SIEM (never the token itself in the file). */
  tokenEnv?: string;
  /** A PEM CA bundle to verify the SIEM's certificate with (default: the system's). */
  caFile?: string;
}

export interface AuditConfig {
  enabled: boolean;
  /** Where the checkpoint signing key lives (default DATA_DIR/audit). Entries live in the store. */
  storagePath: string;
  /** Entries older than this are pruned behind a signed anchor; 0 keeps everything. */
  retentionDays: number;
  /** Event types never recorded; `node.*` excludes a whole family. */
  excludeEvents: string[];
  signLogs: boolean;
  hashChain: boolean;
  /** Sign a checkpoint at every seq that is a multiple of this. */
  checkpointEvery: number;
  /** …and at least this often while entries arrive. */
  checkpointIntervalMs: number;
  /** Refuse security-relevant requests (503) while the log cannot be written. */
  failClosed: boolean;
  export: AuditExportConfig;
}

export class AuditConfigError extends Error {
  override name = "AuditConfigError";
}

const AUDIT_KEYS = ["enabled", "storage_path", "retention_days", "exclude_events", "sign_logs", "hash_chain", "checkpoint_every", "checkpoint_interval_seconds", "fail_closed", "export"];
const EXPORT_KEYS = ["enabled", "endpoint", "format", "batch_size", "timeout_seconds", "max_backoff_seconds", "token_env", "ca_file"];
const EVENT_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*(\.\*)?$/;

export interface ParseAuditOptions {
  /** Relative storage paths are resolved against it; the default storage path is under it. */
  dataDir: string;
  /** Names the file in messages, e.g. "/etc/claw/gateway.toml". */
  source?: string;
}

export function parseAuditConfig(raw: unknown, opts: ParseAuditOptions): AuditConfig {
  const where = `${opts.source ?? "gateway.toml"} [audit]`;
  const t = table(raw ?? {}, where);
  unknownKeys(t, AUDIT_KEYS, where);
  const storage = optional(t, "storage_path", "string", where) as string | undefined;
  const exportWhere = `${opts.source ?? "gateway.toml"} [audit.export]`;
  const config: AuditConfig = {
    enabled: (optional(t, "enabled", "boolean", where) as boolean | undefined) ?? true,
    storagePath: storage === undefined ? join(opts.dataDir, "audit") : isAbsolute(storage) ? storage : resolve(opts.dataDir, storage),
    retentionDays: integer(t, "retention_days", { min: 0, max: 36500, fallback: 365 }, where),
    excludeEvents: eventList(t.exclude_events, where),
    signLogs: (optional(t, "sign_logs", "boolean", where) as boolean | undefined) ?? true,
    hashChain: (optional(t, "hash_chain", "boolean", where) as boolean | undefined) ?? true,
    checkpointEvery: integer(t, "checkpoint_every", { min: 1, max: 1_000_000, fallback: 1000 }, where),
    checkpointIntervalMs: integer(t, "checkpoint_interval_seconds", { min: 1, max: 3600, fallback: 5 }, where) * 1000,
    failClosed: (optional(t, "fail_closed", "boolean", where) as boolean | undefined) ?? true,
    export: parseExport(t.export, exportWhere),
  };
  if (config.signLogs && !config.hashChain)
    throw new AuditConfigError(`${where} sign_logs = true needs hash_chain = true: a checkpoint signs the hash of the chain's head; set hash_chain = true or sign_logs = false`);
  return config;
}

function parseExport(raw: unknown, where: string): AuditExportConfig {
  const t = table(raw ?? {}, where);
  unknownKeys(t, EXPORT_KEYS, where);
  const enabled = (optional(t, "enabled", "boolean", where) as boolean | undefined) ?? false;
  const endpoint = (optional(t, "endpoint", "string", where) as string | undefined) ?? "";
  if (enabled && !endpoint) throw new AuditConfigError(`${where} enabled = true needs endpoint, the SIEM's ingest URL (for example endpoint = "https://siem.example.com/ingest")`);
  if (endpoint) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) throw new AuditConfigError(`${where} endpoint "${endpoint}" is not an http(s) URL (for example https://siem.example.com/ingest)`);
    if (url.username || url.password) throw new AuditConfigError(`${where} endpoint must not carry credentials; put a token in an environment variable and name it with token_env`);
  }
  const format = (optional(t, "format", "string", where) as string | undefined) ?? "json";
  if (format !== "json" && format !== "jsonl") throw new AuditConfigError(`${where} format "${format}" is not supported; use "json" (one JSON array per batch) or "jsonl" (one entry per line)`);
  const tokenEnv = optional(t, "token_env", "string", where) as string | undefined;
  if (tokenEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) throw new AuditConfigError(`${where} token_env must name an environment variable (letters, digits, _), not hold the token itself`);
  const caFile = optional(t, "ca_file", "string", where) as string | undefined;
  return {
    enabled,
    endpoint,
    format,
    batchSize: integer(t, "batch_size", { min: 1, max: 10_000, fallback: 100 }, where),
    timeoutMs: integer(t, "timeout_seconds", { min: 1, max: 600, fallback: 10 }, where) * 1000,
    maxBackoffMs: integer(t, "max_backoff_seconds", { min: 1, max: 3600, fallback: 60 }, where) * 1000,
    ...(tokenEnv ? { tokenEnv } : {}),
    ...(caFile ? { caFile } : {}),
  };
}

function table(raw: unknown, where: string): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new AuditConfigError(`${where} must be a table`);
  return raw as Record<string, unknown>;
}

function unknownKeys(t: Record<string, unknown>, known: string[], where: string): void {
  const unknown = Object.keys(t).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new AuditConfigError(`${where} has unknown key(s) ${unknown.join(", ")}; known keys: ${known.join(", ")}`);
}

function optional(t: Record<string, unknown>, key: string, type: "string" | "boolean", where: string): unknown {
  const value = t[key];
  if (value === undefined) return undefined;
  if (typeof value !== type) throw new AuditConfigError(`${where} ${key} must be a ${type === "boolean" ? "boolean (true or false)" : "string"}, not ${JSON.stringify(value)}`);
  return value;
}

function integer(t: Record<string, unknown>, key: string, range: { min: number; max: number; fallback: number }, where: string): number {
  const value = t[key];
  if (value === undefined) return range.fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < range.min || value > range.max)
    throw new AuditConfigError(`${where} ${key} must be a whole number from ${range.min} to ${range.max}, not ${JSON.stringify(value)}`);
  return value;
}

function eventList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new AuditConfigError(`${where} exclude_events must be a list of event types, for example ["metrics.reported", "node.*"]`);
  for (const name of value as string[]) {
    if (!EVENT_PATTERN.test(name)) throw new AuditConfigError(`${where} exclude_events: "${name}" is not an event type (dotted lower-case words such as auth.login, or a family such as node.*)`);
  }
  return value as string[];
}

/** Whether an event type is excluded by the list (exact names, or `family.*`). */
export function isExcluded(type: string, exclude: readonly string[]): boolean {
  for (const pattern of exclude) {
    if (pattern === type) return true;
    if (pattern.endsWith(".*") && type.startsWith(pattern.slice(0, -1))) return true;
  }
  return false;
}

/** The defaults, for tests and embedders. */
export const defaultAuditConfig = (dataDir: string): AuditConfig => parseAuditConfig({}, { dataDir });
