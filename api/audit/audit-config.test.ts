import { describe, expect, it } from "vitest";
import { parseAuditConfig, isExcluded } from "./audit-config.js";

const parse = (raw: unknown) => parseAuditConfig(raw, { dataDir: "/var/lib/claw", source: "/etc/claw/gateway.toml" });

describe("[audit] config", () => {
  it("takes the guide's defaults, with the signing key under the data dir", () => {
    expect(parse(undefined)).toEqual({
      enabled: true,
      storagePath: "/var/lib/claw/audit",
      retentionDays: 365,
      excludeEvents: [],
      signLogs: true,
      hashChain: true,
      checkpointEvery: 1000,
      checkpointIntervalMs: 5000,
      failClosed: true,
      export: { enabled: false, endpoint: "", format: "json", batchSize: 100, timeoutMs: 10_000, maxBackoffMs: 60_000 },
    });
  });

  it("reads the guide's example", () => {
    const config = parse({
      enabled: true,
      storage_path: "/var/log/clawbernetes/audit",
      retention_days: 365,
      exclude_events: ["metrics.reported"],
      sign_logs: true,
      hash_chain: true,
      export: { enabled: true, endpoint: "https://siem.example.com/ingest", format: "json", batch_size: 100 },
    });
    expect(config).toMatchObject({ storagePath: "/var/log/clawbernetes/audit", excludeEvents: ["metrics.reported"], export: { enabled: true, endpoint: "https://siem.example.com/ingest", batchSize: 100 } });
  });

  it("resolves a relative storage_path against the data dir", () => expect(parse({ storage_path: "keys" }).storagePath).toBe("/var/lib/claw/keys"));

  const errors: { name: string; raw: unknown; message: RegExp }[] = [
    { name: "an unknown key, listing the known ones", raw: { retention: 3 }, message: /\[audit\] has unknown key\(s\) retention; known keys: enabled, storage_path/ },
    { name: "a boolean given as a string", raw: { sign_logs: "yes" }, message: /\[audit\] sign_logs must be a boolean \(true or false\), not "yes"/ },
    { name: "a negative retention", raw: { retention_days: -1 }, message: /retention_days must be a whole number from 0 to 36500/ },
    { name: "an exclude list that is not a list", raw: { exclude_events: "auth.login" }, message: /exclude_events must be a list of event types/ },
    { name: "an event name that is not one", raw: { exclude_events: ["Auth Login"] }, message: /"Auth Login" is not an event type/ },
    { name: "signing without a hash chain", raw: { hash_chain: false }, message: /sign_logs = true needs hash_chain = true/ },
    { name: "export enabled without an endpoint", raw: { export: { enabled: true } }, message: /\[audit.export\] enabled = true needs endpoint/ },
    { name: "an endpoint that is not http(s)", raw: { export: { endpoint: "ftp://siem" } }, message: /endpoint "ftp:\/\/siem" is not an http\(s\) URL/ },
    { name: "credentials in the endpoint", raw: { export: { endpoint: "https://u:p@siem/x" } }, message: /must not carry credentials; put a token in an environment variable/ },
    { name: "an unknown format", raw: { export: { format: "xml" } }, message: /format "xml" is not supported; use "json"/ },
    { name: "a batch size of zero", raw: { export: { batch_size: 0 } }, message: /batch_size must be a whole number from 1 to 10000/ },
    { name: "a token instead of a variable name", raw: { export: { token_env: "Bearer abc.def" } }, message: /token_env must name an environment variable/ },
  ];
  for (const c of errors) it(`refuses ${c.name}`, () => expect(() => parse(c.raw)).toThrow(c.message));

  it("excludes exact types and families", () => {
    expect([isExcluded("node.connected", ["node.*"]), isExcluded("auth.login", ["auth.logout"]), isExcluded("auth.logout", ["auth.logout"])]).toEqual([true, false, true]);
  });
});
