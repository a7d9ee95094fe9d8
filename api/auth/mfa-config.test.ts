import { describe, expect, it } from "vitest";
import { AuthConfigError, parseAuthConfig } from "./auth-config.js";

const parse = (auth: unknown) => parseAuthConfig(auth, { readEnv: () => undefined, source: "gateway.toml" });

describe("[auth.mfa]", () => {
  it.each([
    ["no [auth.mfa] table requires MFA of no role", {}, undefined],
    ["an empty table requires none", { mfa: {} }, { requiredForRoles: [] }],
    ["required_for_roles lists the roles, once each", { mfa: { required_for_roles: ["admin", "operator", "admin"] } }, { requiredForRoles: ["admin", "operator"] }],
  ])("%s", (_name, auth, mfa) => {
    expect(parse(auth).mfa).toEqual(mfa);
  });

  it.each([
    ["a string instead of a list", { required_for_roles: "admin" }, 'gateway.toml [auth.mfa] required_for_roles must be a list of role names, e.g. ["admin"]'],
    ["a name that is not a role name", { required_for_roles: ["Admin"] }, 'gateway.toml [auth.mfa] required_for_roles[0] "Admin" is not a role name'],
    ["a number in the list", { required_for_roles: ["admin", 3] }, "gateway.toml [auth.mfa] required_for_roles[1] 3 is not a role name"],
    ["an unknown key", { required_for_role: ["admin"] }, "gateway.toml [auth.mfa] has unknown key(s) required_for_role; known: required_for_roles"],
    ["a value that is not a table", "admin", "gateway.toml [auth.mfa] must be a table"],
  ])("refuses %s, saying what to write", (_name, mfa, message) => {
    expect(() => parse({ mfa })).toThrow(AuthConfigError);
    expect(() => parse({ mfa })).toThrow(message);
  });
});
