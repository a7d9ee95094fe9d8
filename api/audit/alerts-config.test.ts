import { describe, expect, it } from "vitest";
import { parseAlertsConfig } from "./alerts-config.js";

describe("parseAlertsConfig", () => {
  it("defaults to off, with the documented thresholds", () => {
    const c = parseAlertsConfig(undefined);
    expect(c.enabled).toBe(false);
    expect(c.webhook).toBe("");
    expect(Object.fromEntries(Object.entries(c.rules).map(([k, r]) => [k, [r.threshold, r.windowMs / 1000]]))).toEqual({
      failed_logins_per_user: [5, 300],
      failed_logins_per_source: [20, 300],
      forbidden_per_actor: [20, 60],
      admin_new_source: [1, 2_592_000],
      secret_access_denied: [1, 300],
    });
  });

  it("reads the webhook and per-rule overrides", () => {
    const c = parseAlertsConfig({ enabled: true, webhook: "https://hooks.example.com/claw", max_backoff_seconds: 30, rules: { failed_logins_per_user: { threshold: 3, window_secs: 60 }, forbidden_per_actor: { enabled: false } } });
    expect(c).toMatchObject({ enabled: true, webhook: "https://hooks.example.com/claw", maxBackoffMs: 30_000 });
    expect(c.rules.failed_logins_per_user).toEqual({ enabled: true, threshold: 3, windowMs: 60_000 });
    expect(c.rules.forbidden_per_actor.enabled).toBe(false);
  });

  it.each<[string, unknown, RegExp]>([
    ["an unknown key", { enabled: true, webhok: "https://x" }, /\[alerts\] has unknown key\(s\) webhok; known keys: enabled, webhook/],
    ["a webhook that is not a URL", { webhook: "hooks.example.com" }, /webhook "hooks.example.com" is not an http\(s\) URL/],
    ["a webhook of another scheme", { webhook: "ftp://hooks.example.com" }, /is not an http\(s\) URL/],
    ["a webhook carrying credentials", { webhook: "https://user:pw@hooks.example.com" }, /must not carry credentials/],
    ["enabled that is not a boolean", { enabled: "yes" }, /enabled must be a boolean/],
    ["an unknown rule", { rules: { failed_logins: { threshold: 3 } } }, /\[alerts.rules\] has unknown rule\(s\) failed_logins; known rules: failed_logins_per_user/],
    ["an unknown key in a rule", { rules: { failed_logins_per_user: { limit: 3 } } }, /\[alerts.rules.failed_logins_per_user\] has unknown key\(s\) limit/],
    ["a threshold of zero", { rules: { failed_logins_per_user: { threshold: 0 } } }, /threshold must be a whole number from 1 to 1000000, not 0/],
    ["a fractional window", { rules: { forbidden_per_actor: { window_secs: 1.5 } } }, /window_secs must be a whole number/],
    ["a threshold on the new-address rule", { rules: { admin_new_source: { threshold: 3 } } }, /fires on a single login from a new address/],
    ["rules that are not a table", { rules: [] }, /\[alerts\] rules must be a table/],
    ["a section that is not a table", "on", /\[alerts\] must be a table/],
  ])("refuses %s", (_name, raw, message) => {
    expect(() => parseAlertsConfig(raw, { source: "/etc/claw/gateway.toml" })).toThrow(message);
  });
});
