// `claw server` reads [alerts] beside [audit]: a bad section stops the server before anything starts.

import { describe, expect, it } from "vitest";
import { auditModuleSetup } from "./audit.js";
import type { ServerConfig } from "./server-config.js";

const config = (sections: Record<string, unknown>): ServerConfig => ({
  listen: { host: "127.0.0.1", port: 0 },
  dataDir: "/nonexistent-claw-test",
  etcdEndpoints: [],
  maxRequestBytes: 3 * 1024 * 1024,
  sections,
  configFile: "/etc/claw/gateway.toml",
});

describe("auditModuleSetup with [alerts]", () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["alerts without the audit log", { audit: { enabled: false }, alerts: { enabled: true } }, /\[alerts\] enabled = true needs the audit log/],
    ["an unknown key, naming the file", { audit: { sign_logs: false }, alerts: { enabled: true, treshold: 5 } }, /\/etc\/claw\/gateway.toml \[alerts\] has unknown key\(s\) treshold/],
  ])("refuses %s", (_name, sections, message) => {
    expect(() => auditModuleSetup({ config: config(sections), env: {} })).toThrow(message);
  });

  it("accepts a webhook and rule overrides", async () => {
    const setup = auditModuleSetup({ config: config({ audit: { sign_logs: false }, alerts: { enabled: true, webhook: "https://hooks.example.com/claw", rules: { failed_logins_per_user: { threshold: 3 } } } }), env: {} });
    await setup.close();
  });
});
