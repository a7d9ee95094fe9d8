// The guide's [ddos] block as the guard enforces it. parseGuardConfig (guard-config-parser.ts) fills this
// from gateway.toml, refusing a wrong type or an unknown key with the file, line and key.

export interface GuardConfig {
  /** [ddos] enabled: false turns the guard off (nothing is limited, BlockRules still block). Default true. */
  enabled: boolean;
  /** [ddos] shadow: evaluate and report every decision, refuse nothing (Envoy's shadow mode). Default false. */
  shadow: boolean;
  /** [ddos] allow: CIDRs never limited or blocked, so operators cannot lock themselves out. Default 127.0.0.1/32 and ::1/128 (as fail2ban's ignoreip); setting it replaces them. */
  allow: string[];
  /** [ddos] trusted_proxies: peers whose X-Forwarded-For / Forwarded names the client. Default []. */
  trustedProxies: string[];
  connection: {
    /** [ddos.connection] max_per_ip, default 100. */
    maxPerIp: number;
    /** max_total, default 10000. */
    maxTotal: number;
    /** slow_loris_timeout_secs, default 30: the TLS handshake, headers and body must each arrive within it. */
    slowLorisTimeoutSecs: number;
  };
  rateLimit: {
    /** [ddos.rate_limit] requests_per_second, default 100. */
    requestsPerSecond: number;
    /** burst_size, default 200. */
    burstSize: number;
  };
  compute: {
    /** [ddos.compute] max_cost_per_minute, default 1000. */
    maxCostPerMinute: number;
  };
  bandwidth: {
    /** [ddos.bandwidth] max_bytes_per_second per source, default 10485760. */
    maxBytesPerSecond: number;
  };
  blocklist: {
    /** [ddos.blocklist] enabled, default true: auto-blocking (BlockRules are enforced regardless). */
    enabled: boolean;
    /** auto_block_threshold, default 5: violations within window_secs before an auto BlockRule. */
    autoBlockThreshold: number;
    /** window_secs, default 60 (claw's addition). */
    windowSecs: number;
    /** block_duration_secs, default 3600: the first auto block; each repeat doubles it (fail2ban's bantime.increment). */
    blockDurationSecs: number;
    /** max_block_duration_secs, default 604800 (a week): the cap of the doubling (claw's addition). */
    maxBlockDurationSecs: number;
  };
  reputation: {
    /** [ddos.reputation] enabled, default true. */
    enabled: boolean;
    /** decay_rate, default 0.1: points recovered per minute, toward 0. */
    decayRate: number;
    /** threshold, default -10: at or below it the source is auto-blocked. */
    threshold: number;
  };
  geo: {
    /** [ddos.geo] enabled, default false. */
    enabled: boolean;
    /** mode, "allowlist" (only countries) or "blocklist" (all but countries). */
    mode: "allowlist" | "blocklist";
    /** ISO 3166-1 alpha-2 codes, upper case; an unknown code stops the server. */
    countries: string[];
    /** database: a GeoLite2/GeoIP2 Country (or compatible) MMDB file instead of the shipped one. */
    database?: string;
  };
}
