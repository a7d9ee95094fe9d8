// gateway.toml's [ddos] section (the guide's block and claw's additions) read into a GuardConfig. Anything the
// guard would have to guess about is refused at start, with the file, line and key, what was wrong and what
// is allowed, since a typo in a limit must not silently leave a gateway unprotected.

import { parseCidr } from "../machinery/ip-address.js";
import type { GuardConfig } from "./guard-config.js";
import { isCountryCode } from "./iso-countries.js";

/** What [ddos] allow is when absent: this host's own loopback addresses, so a typo on the host never locks its operator out. */
export const DEFAULT_ALLOW = ["127.0.0.1/32", "::1/128"] as const;

export class GuardConfigError extends Error {
  override name = "GuardConfigError";
}

export interface GuardConfigSource {
  /** The config file's path, named in errors. */
  source?: string;
  /** The config file's contents, scanned for the line of a key named in an error. */
  text?: string;
}

/** Why a value was refused: what is allowed, and for a list the element at fault. */
class Refusal {
  constructor(
    readonly allowed: string,
    readonly detail: { index?: number; element?: unknown; hint?: string } = {},
  ) {}
}

/** A key's check: the value to keep, or a Refusal. */
type Read<T> = (value: unknown) => T | Refusal;

interface Schema {
  [key: string]: Read<unknown> | Schema;
}

type Parsed<S extends Schema> = {
  [K in keyof S]: S[K] extends Read<infer T> ? T | undefined : S[K] extends Schema ? Parsed<S[K]> : never;
};

const flag: Read<boolean> = (v) => (typeof v === "boolean" ? v : new Refusal("true or false"));

const wholeNumber = (min: number): Read<number> => (v) =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= min ? v : new Refusal(`a whole number ≥ ${min}`);

const decayRate: Read<number> = (v) =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : new Refusal("a number ≥ 0 (points recovered per minute)");

const threshold: Read<number> = (v) =>
  typeof v === "number" && Number.isFinite(v) && v <= 0 ? v : new Refusal("a number ≤ 0 (a score: 0 is neutral, violations lower it)");

const geoMode: Read<"allowlist" | "blocklist"> = (v) => (v === "allowlist" || v === "blocklist" ? v : new Refusal(`"allowlist" or "blocklist"`));

const filePath: Read<string> = (v) => (typeof v === "string" && v.trim() !== "" ? v : new Refusal("the path of a GeoLite2/GeoIP2 Country MMDB file"));

/** A list whose every element passes `element`, duplicates dropped; a refusal names the element at fault. */
const listOf = <T>(what: string, element: (v: unknown) => T | Refusal): Read<T[]> => (v) => {
  if (!Array.isArray(v)) return new Refusal(`a list of ${what}`);
  const out: T[] = [];
  for (const [index, item] of v.entries()) {
    const read = element(item);
    if (read instanceof Refusal) return new Refusal(read.allowed, { ...read.detail, index, element: item });
    if (!out.includes(read)) out.push(read);
  }
  return out;
};

const CIDR_ALLOWED = "an IPv4 or IPv6 address or CIDR block, such as 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32";
/** Kept in canonical form ("10.0.0.0/8", "192.0.2.7/32"), the form BlockRules and the CidrSet use. */
const cidr = (v: unknown): string | Refusal => (typeof v === "string" && parseCidr(v)?.text) || new Refusal(CIDR_ALLOWED);

const COUNTRY_ALLOWED = `an ISO 3166-1 alpha-2 country code in upper case, such as "US" or "DE"`;
const country = (v: unknown): string | Refusal => {
  if (typeof v === "string" && isCountryCode(v)) return v;
  const upper = typeof v === "string" ? v.toUpperCase() : undefined;
  const hint = upper !== undefined && isCountryCode(upper) ? `write "${upper}"` : v === "UK" ? `the United Kingdom is "GB"` : undefined;
  return new Refusal(COUNTRY_ALLOWED, hint === undefined ? {} : { hint });
};

/** The [ddos] section: a check for each key, a nested schema for each sub-table. */
const SCHEMA = {
  enabled: flag,
  shadow: flag,
  allow: listOf("CIDR blocks (IPv4 or IPv6)", cidr),
  trusted_proxies: listOf("CIDR blocks (IPv4 or IPv6)", cidr),
  connection: { max_per_ip: wholeNumber(1), max_total: wholeNumber(1), slow_loris_timeout_secs: wholeNumber(1) },
  rate_limit: { requests_per_second: wholeNumber(1), burst_size: wholeNumber(1) },
  compute: { max_cost_per_minute: wholeNumber(1) },
  bandwidth: { max_bytes_per_second: wholeNumber(1) },
  blocklist: {
    enabled: flag,
    auto_block_threshold: wholeNumber(1),
    window_secs: wholeNumber(1),
    block_duration_secs: wholeNumber(1),
    max_block_duration_secs: wholeNumber(1),
  },
  reputation: { enabled: flag, decay_rate: decayRate, threshold },
  geo: { enabled: flag, mode: geoMode, countries: listOf("country codes", country), database: filePath },
};

/**
 * The GuardConfig of a [ddos] section as smol-toml parsed it (undefined when the file has none: every
 * default). Throws a GuardConfigError naming the file, line and key for a wrong type, an out-of-range
 * number, an unknown key or table, a bad CIDR, geo mode or country code (upper case only).
 */
export function parseGuardConfig(raw: unknown, opts: GuardConfigSource = {}): GuardConfig {
  const at = new Locator(opts);
  const d = walk(raw, SCHEMA, ["ddos"], at);
  const config: GuardConfig = {
    enabled: d.enabled ?? true,
    shadow: d.shadow ?? false,
    // As fail2ban's ignoreip: the host itself is never limited or blocked unless [ddos] allow says otherwise.
    allow: d.allow ?? [...DEFAULT_ALLOW],
    trustedProxies: d.trusted_proxies ?? [],
    connection: {
      maxPerIp: d.connection.max_per_ip ?? 100,
      maxTotal: d.connection.max_total ?? 10000,
      slowLorisTimeoutSecs: d.connection.slow_loris_timeout_secs ?? 30,
    },
    rateLimit: { requestsPerSecond: d.rate_limit.requests_per_second ?? 100, burstSize: d.rate_limit.burst_size ?? 200 },
    compute: { maxCostPerMinute: d.compute.max_cost_per_minute ?? 1000 },
    bandwidth: { maxBytesPerSecond: d.bandwidth.max_bytes_per_second ?? 10485760 },
    blocklist: {
      enabled: d.blocklist.enabled ?? true,
      autoBlockThreshold: d.blocklist.auto_block_threshold ?? 5,
      windowSecs: d.blocklist.window_secs ?? 60,
      blockDurationSecs: d.blocklist.block_duration_secs ?? 3600,
      maxBlockDurationSecs: d.blocklist.max_block_duration_secs ?? 604800,
    },
    reputation: { enabled: d.reputation.enabled ?? true, decayRate: d.reputation.decay_rate ?? 0.1, threshold: d.reputation.threshold ?? -10 },
    geo: {
      enabled: d.geo.enabled ?? false,
      mode: d.geo.mode ?? "blocklist",
      countries: d.geo.countries ?? [],
      ...(d.geo.database !== undefined ? { database: d.geo.database } : {}),
    },
  };
  const { blockDurationSecs, maxBlockDurationSecs } = config.blocklist;
  if (blockDurationSecs > maxBlockDurationSecs) {
    const key = d.blocklist.max_block_duration_secs === undefined ? "block_duration_secs" : "max_block_duration_secs";
    throw at.error(["ddos", "blocklist", key], `[ddos.blocklist] block_duration_secs (${blockDurationSecs}) must not be longer than max_block_duration_secs (${maxBlockDurationSecs}${d.blocklist.max_block_duration_secs === undefined ? ", the default" : ""}), the cap of its doubling`);
  }
  if (config.geo.enabled && config.geo.mode === "allowlist" && config.geo.countries.length === 0)
    throw at.error(["ddos", "geo", d.geo.countries === undefined ? "mode" : "countries"], `[ddos.geo] mode = "allowlist" with no countries would refuse every client: list the countries to allow, or set enabled = false`);
  return config;
}

function walk<S extends Schema>(raw: unknown, schema: S, path: string[], at: Locator): Parsed<S> {
  if (raw !== undefined && !isTable(raw)) throw at.error(path, `${label(path)} must be a table, not ${show(raw)}`);
  const table: Record<string, unknown> = raw ?? {};
  for (const [key, value] of Object.entries(table)) {
    if (Object.hasOwn(schema, key)) continue;
    const subTables = Object.keys(schema).filter((k) => typeof schema[k] !== "function");
    const keys = Object.keys(schema).filter((k) => typeof schema[k] === "function");
    const nearKey = [...keys, ...subTables].find((k) => squash(k) === squash(key));
    const near = nearKey === undefined ? "" : ` (did you mean ${nearKey}?)`;
    if (isTable(value))
      throw at.error([...path, key], `unknown table ${label([...path, key])}${near}; the tables of ${label(path)} are ${subTables.length ? subTables.map((k) => label([...path, k])).join(", ") : "none"}`);
    throw at.error([...path, key], `${label(path)} unknown key ${key}${near}; the keys of ${label(path)} are ${keys.join(", ")}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(schema)) {
    if (typeof rule !== "function") {
      if (table[key] !== undefined && !isTable(table[key]))
        throw at.error([...path, key], `${label(path)} ${key} must be a table (${label([...path, key])}), not ${show(table[key])}`);
      out[key] = walk(table[key], rule, [...path, key], at);
      continue;
    }
    const value = table[key];
    const read = value === undefined ? undefined : rule(value);
    if (!(read instanceof Refusal)) {
      out[key] = read;
      continue;
    }
    const { index, element, hint } = read.detail;
    const shown = index === undefined ? value : element;
    const unquoted = typeof shown === "string" ? unquote(shown) : undefined;
    const readsUnquoted = index === undefined && unquoted !== undefined && !(rule(unquoted) instanceof Refusal);
    const advice = hint ?? (readsUnquoted ? "write it without the quotes" : undefined);
    throw at.error(
      [...path, key],
      `${label(path)} ${key}${index === undefined ? "" : `[${index}]`} must be ${read.allowed}, not ${show(shown)}${advice ? `; ${advice}` : ""}`,
      typeof element === "string" ? element : undefined,
    );
  }
  // The schema and the loop above agree key for key; the cast is where the untyped TOML becomes typed.
  return out as Parsed<S>;
}

const isTable = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

const label = (path: string[]): string => `[${path.join(".")}]`;

const squash = (key: string): string => key.toLowerCase().replace(/[-_]/g, "");

/** What a quoted value would have been without its quotes, for the "write it without the quotes" advice. */
function unquote(text: string): unknown {
  if (text === "true" || text === "false") return text === "true";
  return /^[+-]?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : undefined;
}

/** A value as the operator wrote it, short. */
function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number") return Number.isNaN(value) ? "nan" : Number.isFinite(value) ? String(value) : value > 0 ? "inf" : "-inf";
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return "a date";
  if (Array.isArray(value)) {
    const text = `[${value.map(show).join(", ")}]`;
    return text.length > 60 ? `${text.slice(0, 57)}...]` : text;
  }
  return "a table";
}

// A TOML key part: bare, "basic" or 'literal'.
const KEY_PART = String.raw`(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')`;
const DOTTED = String.raw`${KEY_PART}(?:\s*\.\s*${KEY_PART})*`;
const HEADER = new RegExp(String.raw`^\s*\[\[?\s*(${DOTTED})\s*\]\]?\s*(?:#.*)?$`);
const KEY_LINE = new RegExp(String.raw`^\s*(${DOTTED})\s*=`);

const keyParts = (dotted: string): string[] => [...dotted.matchAll(new RegExp(KEY_PART, "g"))].map((m) => m[0].replace(/^["']|["']$/g, ""));

/** Finds the line of a table or key in the file's text, to prefix errors with `file:line:`. */
class Locator {
  private readonly lines: string[] | undefined;

  constructor(private readonly opts: GuardConfigSource) {
    this.lines = opts.text?.split(/\r?\n/);
  }

  error(path: string[], message: string, element?: string): GuardConfigError {
    // A key in an inline table has no line of its own: point at its table's.
    const line = this.lineOf(path, element) ?? (path.length > 1 ? this.lineOf(path.slice(0, -1)) : undefined);
    const where = [this.opts.source, line].filter((part) => part !== undefined).join(":");
    return new GuardConfigError(where === "" ? message : `${this.opts.source === undefined ? "line " : ""}${where}: ${message}`);
  }

  /** The 1-based line of the first `[table]` header or `key =` at or under `path` (dotted keys resolved against the header above). */
  private lineOf(path: string[], element?: string): number | undefined {
    if (this.lines === undefined) return undefined;
    let header: string[] = [];
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      const headerMatch = HEADER.exec(line);
      if (headerMatch) header = keyParts(headerMatch[1]!);
      const keyMatch = headerMatch ? undefined : KEY_LINE.exec(line);
      if (!headerMatch && !keyMatch) continue;
      const full = keyMatch ? [...header, ...keyParts(keyMatch[1]!)] : header;
      if (path.every((part, j) => full[j] === part)) return element === undefined || !keyMatch ? i + 1 : this.elementLine(i, element);
    }
    return undefined;
  }

  /** The line, from a list's key line to the next table, that holds `element` quoted. */
  private elementLine(keyIndex: number, element: string): number {
    const quoted = [JSON.stringify(element), `'${element}'`];
    for (let i = keyIndex; i < this.lines!.length; i++) {
      if (i > keyIndex && HEADER.test(this.lines![i]!)) break;
      if (quoted.some((q) => this.lines![i]!.includes(q))) return i + 1;
    }
    return keyIndex + 1;
  }
}
