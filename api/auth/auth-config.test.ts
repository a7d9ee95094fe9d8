import { describe, expect, it } from "vitest";
import { AuthConfigError, defaultAuthConfig, parseAuthConfig } from "./auth-config.js";

const SECRET = "s".repeat(32);
const parse = (auth: unknown, env: Record<string, string> = {}) => parseAuthConfig(auth, { readEnv: (n) => env[n], source: "gateway.toml" });

describe("parseAuthConfig", () => {
  it("gives the guide's defaults without an [auth] table", () => {
    expect(parse(undefined)).toEqual(defaultAuthConfig());
    expect(defaultAuthConfig()).toEqual({
      jwt: { issuer: "clawbernetes", defaultExpiryHours: 24, maxExpiryHours: 168, allowRefresh: true, refreshWindowHours: 1 },
      rbac: { enabled: true, defaultRole: "viewer", requireRoleAssignment: true },
    });
  });

  it("reads the guide's example", () => {
    const config = parse(
      {
        jwt: { secret_env: "CLAWBERNETES_JWT_SECRET", issuer: "claw-test", default_expiry_hours: 12, max_expiry_hours: 48, allow_refresh: false, refresh_window_hours: 2 },
        rbac: { enabled: true, default_role: "operator", require_role_assignment: false },
      },
      { CLAWBERNETES_JWT_SECRET: SECRET },
    );
    expect(config.jwt).toMatchObject({ issuer: "claw-test", defaultExpiryHours: 12, maxExpiryHours: 48, allowRefresh: false, refreshWindowHours: 2, secretEnv: "CLAWBERNETES_JWT_SECRET" });
    expect(Buffer.from(config.jwt.secret!).toString()).toBe(SECRET);
    expect(config.rbac).toEqual({ enabled: true, defaultRole: "operator", requireRoleAssignment: false });
  });

  it("uses the store-generated secret when [auth.jwt] names no secret_env", () => {
    expect(parse({ jwt: { issuer: "x" } }).jwt.secret).toBeUndefined();
  });

  it.each([
    ["secret_env names an unset variable", { jwt: { secret_env: "NOPE" } }, {}, "secret_env names NOPE, which is not set"],
    ["the secret is shorter than 32 bytes", { jwt: { secret_env: "S" } }, { S: "x".repeat(31) }, "is 31 bytes; it must be at least 32"],
    ["default expiry exceeds the maximum", { jwt: { default_expiry_hours: 200 } }, {}, "default_expiry_hours (200) is more than max_expiry_hours (168)"],
    ["an hour count is not positive", { jwt: { refresh_window_hours: 0 } }, {}, "refresh_window_hours must be a positive number of hours"],
    ["an hour count is a string", { jwt: { max_expiry_hours: "7d" } }, {}, "max_expiry_hours must be a positive number"],
    ["a key is unknown", { jwt: { secret: "inline" } }, {}, "unknown key(s) secret"],
    ["the issuer is empty", { jwt: { issuer: "" } }, {}, "issuer must not be empty"],
    ["enabled is not a boolean", { rbac: { enabled: "yes" } }, {}, "enabled must be true or false"],
    ["default_role is not a role name", { rbac: { default_role: "Viewer" } }, {}, 'default_role "Viewer" is not a role name'],
    ["[auth.rbac] is not a table", { rbac: true }, {}, "[auth.rbac] must be a table"],
  ])("refuses a config where %s", (_name, auth, env, message) => {
    expect(() => parse(auth, env)).toThrow(AuthConfigError);
    expect(() => parse(auth, env)).toThrow(message);
  });

  it("counts the secret's bytes, not its characters", () => {
    expect(() => parse({ jwt: { secret_env: "S" } }, { S: "é".repeat(16) })).not.toThrow();
  });

  it("accepts an empty default_role", () => {
    expect(parse({ rbac: { default_role: "" } }).rbac.defaultRole).toBe("");
  });
});

describe("[auth] disable_inactive_after_days", () => {
  it.each([
    ["is off when absent", {}, undefined],
    ["reads a whole number of days", { disable_inactive_after_days: 90 }, 90],
    ["reads a TOML integer given as a bigint", { disable_inactive_after_days: 30n }, 30],
  ])("%s", (_name, auth, days) => {
    expect(parse(auth).disableInactiveAfterDays).toBe(days);
  });

  it.each([
    ["zero", 0],
    ["a negative number", -5],
    ["a fraction", 1.5],
    ["a duration string", "90d"],
    ["more than ten years", 3651],
  ])("refuses %s, naming the key and the range", (_name, value) => {
    expect(() => parse({ disable_inactive_after_days: value })).toThrow(AuthConfigError);
    expect(() => parse({ disable_inactive_after_days: value })).toThrow("gateway.toml [auth] disable_inactive_after_days must be a whole number of days from 1 to 3650");
  });
});
