// gateway.toml's [ddos] section (the guide's block and claw's additions) read into a GuardConfig. Anything the
// guard would have to guess about is refused at start, with the file, line and key, what was wrong and what
// is allowed, since a typo in a limit must not silently leave a gateway unprotected.

import { parseCidr } from "../machinery/ip-address.js";
import type { GuardConfig } from "./guard-config.js";
import { isCountryCode } from "./iso-countries.js";
import { flag, listOf, Locator, Refusal, walk, type Read } from "../machinery/toml-schema.js";

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

const wholeNumber = (min: number): Read<number> => (v) =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= min ? v : new Refusal(`a whole number ≥ ${min}`);

const decayRate: Read<number> = (v) =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : new Refusal("a number ≥ 0 (points recovered per minute)");

const threshold: Read<number> = (v) =>
  typeof v === "number" && Number.isFinite(v) && v <= 0 ? v : new Refusal("a number ≤ 0 (a score: 0 is neutral, violations lower it)");

const geoMode: Read<"allowlist" | "blocklist"> = (v) => (v === "allowlist" || v === "blocklist" ? v : new Refusal(`"allowlist" or "blocklist"`));

const filePath: Read<string> = (v) => (typeof v === "string" && v.trim() !== "" ? v : new Refusal("the path of a GeoLite2/GeoIP2 Country MMDB file"));

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
  const at = new Locator({ ...opts, error: (message) => new GuardConfigError(message) });
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
