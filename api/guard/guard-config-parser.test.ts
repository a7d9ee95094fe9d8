import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import type { GuardConfig } from "./guard-config.js";
import { GuardConfigError, parseGuardConfig } from "./guard-config-parser.js";
import { GUIDE_DDOS_BLOCK, GUIDE_GEO_BLOCK } from "./testing/guide-ddos.js";

/** gateway.toml as the server reads it: the [ddos] section kept verbatim, the path and text for errors. */
const parseFile = (text: string, file: { source?: string } = { source: "gateway.toml" }): GuardConfig =>
  parseGuardConfig((parseToml(text) as Record<string, unknown>).ddos, { ...file, text });

const refusalOf = (text: string, file?: { source?: string }): string => {
  try {
    parseFile(text, file);
  } catch (err) {
    if (err instanceof GuardConfigError) return err.message;
    throw err;
  }
  throw new Error("parsed without an error");
};

const GUIDE = GUIDE_DDOS_BLOCK + GUIDE_GEO_BLOCK;

describe("parseGuardConfig", () => {
  it("reads the guide's block verbatim to exactly its values", () => {
    expect(parseFile(GUIDE)).toEqual({
      enabled: true,
      shadow: false,
      allow: ["127.0.0.1/32", "::1/128"],
      trustedProxies: [],
      connection: { maxPerIp: 100, maxTotal: 10000, slowLorisTimeoutSecs: 30 },
      rateLimit: { requestsPerSecond: 100, burstSize: 200 },
      compute: { maxCostPerMinute: 1000 },
      bandwidth: { maxBytesPerSecond: 10485760 },
      blocklist: { enabled: true, autoBlockThreshold: 5, windowSecs: 60, blockDurationSecs: 3600, maxBlockDurationSecs: 604800 },
      reputation: { enabled: true, decayRate: 0.1, threshold: -10 },
      geo: { enabled: true, mode: "allowlist", countries: ["US", "CA", "GB", "DE"] },
    } satisfies GuardConfig);
  });

  it("gives every default when the file has no [ddos] section", () => {
    expect(parseGuardConfig(undefined, {})).toEqual(parseFile("[ddos]\n"));
  });

  const defaults: { name: string; read: (c: GuardConfig) => unknown; expected: unknown }[] = [
    { name: "the guard is on by default", read: (c) => c.enabled, expected: true },
    { name: "shadow mode is off by default", read: (c) => c.shadow, expected: false },
    { name: "only the host's own loopback addresses are allowed past the guard by default, as fail2ban's ignoreip", read: (c) => c.allow, expected: ["127.0.0.1/32", "::1/128"] },
    { name: "no proxy is trusted by default", read: (c) => c.trustedProxies, expected: [] },
    { name: "max_per_ip defaults to 100", read: (c) => c.connection.maxPerIp, expected: 100 },
    { name: "max_total defaults to 10000", read: (c) => c.connection.maxTotal, expected: 10000 },
    { name: "slow_loris_timeout_secs defaults to 30", read: (c) => c.connection.slowLorisTimeoutSecs, expected: 30 },
    { name: "requests_per_second defaults to 100", read: (c) => c.rateLimit.requestsPerSecond, expected: 100 },
    { name: "burst_size defaults to 200", read: (c) => c.rateLimit.burstSize, expected: 200 },
    { name: "max_cost_per_minute defaults to 1000", read: (c) => c.compute.maxCostPerMinute, expected: 1000 },
    { name: "max_bytes_per_second defaults to 10 MiB", read: (c) => c.bandwidth.maxBytesPerSecond, expected: 10485760 },
    { name: "auto-blocking is on by default", read: (c) => c.blocklist.enabled, expected: true },
    { name: "auto_block_threshold defaults to 5", read: (c) => c.blocklist.autoBlockThreshold, expected: 5 },
    { name: "window_secs defaults to 60", read: (c) => c.blocklist.windowSecs, expected: 60 },
    { name: "block_duration_secs defaults to an hour", read: (c) => c.blocklist.blockDurationSecs, expected: 3600 },
    { name: "max_block_duration_secs defaults to a week", read: (c) => c.blocklist.maxBlockDurationSecs, expected: 604800 },
    { name: "reputation tracking is on by default", read: (c) => c.reputation.enabled, expected: true },
    { name: "decay_rate defaults to 0.1", read: (c) => c.reputation.decayRate, expected: 0.1 },
    { name: "threshold defaults to -10", read: (c) => c.reputation.threshold, expected: -10 },
    { name: "geographic blocking is off by default", read: (c) => c.geo.enabled, expected: false },
    { name: "the geo mode defaults to blocklist, so an empty list blocks nothing", read: (c) => c.geo.mode, expected: "blocklist" },
    { name: "the geo countries default to none", read: (c) => c.geo.countries, expected: [] },
    { name: "the shipped geo database is used by default", read: (c) => "database" in c.geo, expected: false },
  ];
  it.each(defaults)("$name", ({ read, expected }) => expect(read(parseFile("[ddos]\n"))).toEqual(expected));

  const accepted: { name: string; toml: string; read: (c: GuardConfig) => unknown; expected: unknown }[] = [
    { name: "keeps allow and trusted_proxies in canonical form", toml: `[ddos]\nallow = ["10.1.2.3/8", "2001:DB8::/32", "192.0.2.7"]\ntrusted_proxies = ["::ffff:10.0.0.1"]`, read: (c) => [c.allow, c.trustedProxies], expected: [["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"], ["10.0.0.1/32"]] },
    { name: "drops a repeated country", toml: `[ddos.geo]\ncountries = ["DE", "FR", "DE"]`, read: (c) => c.geo.countries, expected: ["DE", "FR"] },
    { name: "accepts XK, the code geo databases give Kosovo", toml: `[ddos.geo]\ncountries = ["XK"]`, read: (c) => c.geo.countries, expected: ["XK"] },
    { name: "reads claw's additions", toml: `[ddos]\nshadow = true\n[ddos.blocklist]\nwindow_secs = 120\nmax_block_duration_secs = 86400\n[ddos.geo]\ndatabase = "/var/lib/GeoLite2-Country.mmdb"`, read: (c) => [c.shadow, c.blocklist.windowSecs, c.blocklist.maxBlockDurationSecs, c.geo.database], expected: [true, 120, 86400, "/var/lib/GeoLite2-Country.mmdb"] },
    { name: "reads dotted keys and inline tables", toml: `[ddos]\nrate_limit.burst_size = 7\ncompute = { max_cost_per_minute = 9 }`, read: (c) => [c.rateLimit.burstSize, c.compute.maxCostPerMinute], expected: [7, 9] },
    { name: "accepts a threshold of 0 and a decay_rate of 0", toml: `[ddos.reputation]\nthreshold = 0\ndecay_rate = 0`, read: (c) => [c.reputation.threshold, c.reputation.decayRate], expected: [0, 0] },
    { name: "accepts an integral float where a whole number is needed", toml: `[ddos.connection]\nmax_per_ip = 100.0`, read: (c) => c.connection.maxPerIp, expected: 100 },
  ];
  it.each(accepted)("$name", ({ toml, read, expected }) => expect(read(parseFile(toml))).toEqual(expected));

  const refused: { name: string; toml: string; message: string }[] = [
    { name: "refuses a string where a boolean is needed", toml: `[ddos]\nenabled = "yes please"`, message: `gateway.toml:2: [ddos] enabled must be true or false, not "yes please"` },
    { name: "advises dropping the quotes around a boolean", toml: `[ddos.blocklist]\nenabled = "false"`, message: `gateway.toml:2: [ddos.blocklist] enabled must be true or false, not "false"; write it without the quotes` },
    { name: "refuses a word for a number", toml: `# gateway.toml\n[ddos]\nenabled = true\n\n[ddos.rate_limit]\nrequests_per_second = "fast"`, message: `gateway.toml:6: [ddos.rate_limit] requests_per_second must be a whole number ≥ 1, not "fast"` },
    { name: "advises dropping the quotes around a number", toml: `[ddos.connection]\nmax_per_ip = "100"`, message: `gateway.toml:2: [ddos.connection] max_per_ip must be a whole number ≥ 1, not "100"; write it without the quotes` },
    { name: "refuses a negative limit", toml: `[ddos.connection]\nmax_total = -5`, message: `gateway.toml:2: [ddos.connection] max_total must be a whole number ≥ 1, not -5` },
    { name: "refuses a zero limit", toml: `[ddos.bandwidth]\nmax_bytes_per_second = 0`, message: `gateway.toml:2: [ddos.bandwidth] max_bytes_per_second must be a whole number ≥ 1, not 0` },
    { name: "refuses a fraction where a whole number is needed", toml: `[ddos.compute]\nmax_cost_per_minute = 10.5`, message: `gateway.toml:2: [ddos.compute] max_cost_per_minute must be a whole number ≥ 1, not 10.5` },
    { name: "refuses a burst_size below 1", toml: `[ddos.rate_limit]\nburst_size = 0`, message: `gateway.toml:2: [ddos.rate_limit] burst_size must be a whole number ≥ 1, not 0` },
    { name: "refuses infinity for a timeout", toml: `[ddos.connection]\nslow_loris_timeout_secs = inf`, message: `gateway.toml:2: [ddos.connection] slow_loris_timeout_secs must be a whole number ≥ 1, not inf` },
    { name: "refuses a positive reputation threshold", toml: `[ddos.reputation]\nthreshold = 10`, message: `gateway.toml:2: [ddos.reputation] threshold must be a number ≤ 0 (a score: 0 is neutral, violations lower it), not 10` },
    { name: "refuses a negative decay_rate", toml: `[ddos.reputation]\ndecay_rate = -0.5`, message: `gateway.toml:2: [ddos.reputation] decay_rate must be a number ≥ 0 (points recovered per minute), not -0.5` },
    { name: "refuses nan for a decay_rate", toml: `[ddos.reputation]\ndecay_rate = nan`, message: `gateway.toml:2: [ddos.reputation] decay_rate must be a number ≥ 0 (points recovered per minute), not nan` },
    { name: "refuses an unknown key and suggests the near one", toml: `[ddos.rate_limit]\nrequests_per_second = 10\nburst-size = 20`, message: `gateway.toml:3: [ddos.rate_limit] unknown key burst-size (did you mean burst_size?); the keys of [ddos.rate_limit] are requests_per_second, burst_size` },
    { name: "refuses an unknown key in [ddos]", toml: `[ddos]\nenabled = true\nmode = "strict"`, message: `gateway.toml:3: [ddos] unknown key mode; the keys of [ddos] are enabled, shadow, allow, trusted_proxies` },
    { name: "refuses an unknown sub-table", toml: `[ddos]\nenabled = true\n\n[ddos.ratelimit]\nrequests_per_second = 10`, message: `gateway.toml:4: unknown table [ddos.ratelimit] (did you mean rate_limit?); the tables of [ddos] are [ddos.connection], [ddos.rate_limit], [ddos.compute], [ddos.bandwidth], [ddos.blocklist], [ddos.reputation], [ddos.geo]` },
    { name: "finds an unknown table that only a deeper header creates", toml: `[ddos]\nenabled = true\n[ddos.limits.http]\nrps = 1`, message: `gateway.toml:3: unknown table [ddos.limits]; the tables of [ddos] are [ddos.connection], [ddos.rate_limit], [ddos.compute], [ddos.bandwidth], [ddos.blocklist], [ddos.reputation], [ddos.geo]` },
    { name: "refuses a table nested in a sub-table", toml: `[ddos.geo.extra]\nx = 1`, message: `gateway.toml:1: unknown table [ddos.geo.extra]; the tables of [ddos.geo] are none` },
    { name: "refuses a sub-table written as a value", toml: `[ddos]\nconnection = 5`, message: `gateway.toml:2: [ddos] connection must be a table ([ddos.connection]), not 5` },
    { name: "refuses [ddos] written as a value", toml: `ddos = true`, message: `gateway.toml:1: [ddos] must be a table, not true` },
    { name: "refuses an IPv4 address with an octet over 255 in allow", toml: `[ddos]\nallow = ["10.0.0.0/8", "10.0.0.300"]`, message: `gateway.toml:2: [ddos] allow[1] must be an IPv4 or IPv6 address or CIDR block, such as 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32, not "10.0.0.300"` },
    { name: "refuses an IPv6 prefix over 128 in trusted_proxies, at its line", toml: `[ddos]\ntrusted_proxies = [\n  "2001:db8::/32",\n  "2001:db8::/129",\n]`, message: `gateway.toml:4: [ddos] trusted_proxies[1] must be an IPv4 or IPv6 address or CIDR block, such as 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32, not "2001:db8::/129"` },
    { name: "refuses a host name in trusted_proxies", toml: `[ddos]\ntrusted_proxies = ["proxy.internal"]`, message: `gateway.toml:2: [ddos] trusted_proxies[0] must be an IPv4 or IPv6 address or CIDR block, such as 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32, not "proxy.internal"` },
    { name: "refuses a single CIDR that is not in a list", toml: `[ddos]\nallow = "10.0.0.0/8"`, message: `gateway.toml:2: [ddos] allow must be a list of CIDR blocks (IPv4 or IPv6), not "10.0.0.0/8"` },
    { name: "refuses a geo mode other than the two", toml: `[ddos.geo]\nmode = "denylist"`, message: `gateway.toml:2: [ddos.geo] mode must be "allowlist" or "blocklist", not "denylist"` },
    { name: "refuses a country code in lower case and says how to write it", toml: `[ddos.geo]\ncountries = ["US", "de"]`, message: `gateway.toml:2: [ddos.geo] countries[1] must be an ISO 3166-1 alpha-2 country code in upper case, such as "US" or "DE", not "de"; write "DE"` },
    { name: "refuses UK and names GB", toml: `[ddos.geo]\ncountries = ["UK"]`, message: `gateway.toml:2: [ddos.geo] countries[0] must be an ISO 3166-1 alpha-2 country code in upper case, such as "US" or "DE", not "UK"; the United Kingdom is "GB"` },
    { name: "refuses a withdrawn country code", toml: `[ddos.geo]\ncountries = ["AN"]`, message: `gateway.toml:2: [ddos.geo] countries[0] must be an ISO 3166-1 alpha-2 country code in upper case, such as "US" or "DE", not "AN"` },
    { name: "refuses a country name", toml: `[ddos.geo]\ncountries = ["Germany"]`, message: `gateway.toml:2: [ddos.geo] countries[0] must be an ISO 3166-1 alpha-2 country code in upper case, such as "US" or "DE", not "Germany"` },
    { name: "refuses an empty database path", toml: `[ddos.geo]\ndatabase = ""`, message: `gateway.toml:2: [ddos.geo] database must be the path of a GeoLite2/GeoIP2 Country MMDB file, not ""` },
    { name: "refuses an enabled allowlist of no countries", toml: `[ddos.geo]\nenabled = true\nmode = "allowlist"`, message: `gateway.toml:3: [ddos.geo] mode = "allowlist" with no countries would refuse every client: list the countries to allow, or set enabled = false` },
    { name: "refuses a first block longer than the default cap", toml: `[ddos.blocklist]\nblock_duration_secs = 1000000`, message: `gateway.toml:2: [ddos.blocklist] block_duration_secs (1000000) must not be longer than max_block_duration_secs (604800, the default), the cap of its doubling` },
    { name: "points at the inline table when the key has no line of its own", toml: `[ddos]\nenabled = true\nrate_limit = { requests_per_second = 0 }`, message: `gateway.toml:3: [ddos.rate_limit] requests_per_second must be a whole number ≥ 1, not 0` },
    { name: "finds a dotted key under [ddos]", toml: `[ddos]\nenabled = true\nconnection.max_per_ip = 0`, message: `gateway.toml:3: [ddos.connection] max_per_ip must be a whole number ≥ 1, not 0` },
    { name: "finds a key after a table header with spaces and a comment", toml: `[ddos]\n[ ddos . reputation ]  # scores\n  threshold   = 3`, message: `gateway.toml:3: [ddos.reputation] threshold must be a number ≤ 0 (a score: 0 is neutral, violations lower it), not 3` },
    { name: "refuses a date where a boolean is needed", toml: `[ddos]\nenabled = 1979-05-27`, message: `gateway.toml:2: [ddos] enabled must be true or false, not a date` },
  ];
  it.each(refused)("$name", ({ toml, message }) => expect(refusalOf(toml)).toBe(message));

  it("names the file by its full path", () => {
    expect(refusalOf(`[ddos]\nenabled = 1`, { source: "/etc/claw/gateway.toml" })).toBe("/etc/claw/gateway.toml:2: [ddos] enabled must be true or false, not 1");
  });

  it("names the line alone when no file is given", () => {
    expect(refusalOf(`[ddos]\nenabled = 1`, {})).toBe("line 2: [ddos] enabled must be true or false, not 1");
  });

  it("leaves the line out when the text is not given", () => {
    expect(() => parseGuardConfig({ enabled: 1 }, { source: "gateway.toml" })).toThrow(new GuardConfigError("gateway.toml: [ddos] enabled must be true or false, not 1"));
  });

  it("says only what was wrong when neither file nor text is given", () => {
    expect(() => parseGuardConfig({ connection: { max_per_ip: -1 } }, {})).toThrow(new GuardConfigError("[ddos.connection] max_per_ip must be a whole number ≥ 1, not -1"));
  });
});
