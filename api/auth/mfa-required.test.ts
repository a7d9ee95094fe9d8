// [auth.mfa] required_for_roles = ["admin"] through the real server: a credential of an admin without MFA
// may only enrol (the bootstrap admin's API key included); after enrolling and logging in again with a
// code, everything the roles grant works.

import { Secret } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { FakeClock } from "../machinery/clock.js";
import { authPaths, SECURITY_API } from "../types/auth-api.js";
import { mfaPaths, MFA_ENROLL_COMMAND } from "../types/mfa-api.js";
import { as, createUser, json, setPasswordAsAdmin } from "./testing/identity-fixtures.js";
import { totpCodeAt } from "./totp.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
const PASSWORD = "correct horse battery staple";
const STEP = 30_000;
const ROLES = `${SECURITY_API}/roles`;
let env: EnvTest;

beforeAll(async () => {
  env = await startEnvTest({ clock, auth: { mfa: { requiredForRoles: ["admin"] } } });
});
afterAll(async () => env?.stop());

const post = (credential: string | undefined, path: string, body?: unknown) => as(env, credential).request(path, { method: "POST", ...(body !== undefined ? { json: body } : {}) });
const get = (credential: string, path: string) => as(env, credential).request(path);
const codeNow = (secret: string) => totpCodeAt(Secret.fromBase32(secret).bytes, clock.now());

async function enrol(credential: string, username: string): Promise<string> {
  const { secret } = await json(await post(credential, mfaPaths.enroll(username)));
  expect((await post(credential, mfaPaths.confirm(username), { code: codeNow(secret) })).status).toBe(200);
  clock.step(STEP);
  return secret as string;
}

describe("the bootstrap admin's API key", () => {
  it("may only enrol until user admin has MFA on, then does everything again", async () => {
    const denied = await get(env.token, ROLES);
    expect(denied.status).toBe(403);
    expect((await json(denied)).message).toContain(MFA_ENROLL_COMMAND);
    await enrol(env.token, "admin");
    expect((await get(env.token, ROLES)).status).toBe(200);
  });
});

describe("an admin without MFA", () => {
  let token = "";
  beforeAll(async () => {
    await createUser(env, "ada", ["admin"]);
    await setPasswordAsAdmin(env, "ada", PASSWORD);
    const r = await post(undefined, authPaths.login, { username: "ada", password: PASSWORD });
    expect(r.status).toBe(200);
    token = (await json(r)).token as string;
  });

  it.each([
    ["listing roles", () => get(token, ROLES)],
    ["reading a user", () => get(token, `${SECURITY_API}/users/ada`)],
    ["creating a user", () => post(token, `${SECURITY_API}/users`, { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "sneaky" }, spec: { roles: ["admin"] } })],
    ["creating an API key to escape the restriction", () => post(token, `${SECURITY_API}/apikeys`, { apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name: "escape" }, spec: { displayName: "x", owner: "ada", scopes: ["*:*"] } })],
    ["disabling another user's MFA", () => post(token, mfaPaths.disable("admin"))],
  ])("is refused %s with the enrol command in the message", async (_name, call) => {
    const r = await call();
    expect(r.status).toBe(403);
    expect((await json(r)).message).toContain(MFA_ENROLL_COMMAND);
  });

  it("keeps the restriction through a refresh", async () => {
    clock.step(23 * 3_600_000);
    const r = await post(token, authPaths.refresh, {});
    expect(r.status).toBe(200);
    token = (await json(r)).token as string;
    expect((await get(token, ROLES)).status).toBe(403);
  });

  it("can enrol, stays restricted in the old session, and can do everything after logging in again with a code", async () => {
    const secret = await enrol(token, "ada");
    expect((await get(token, ROLES)).status).toBe(403);
    const r = await post(undefined, authPaths.login, { username: "ada", password: PASSWORD, code: codeNow(secret) });
    expect(r.status).toBe(200);
    const full = (await json(r)).token as string;
    expect((await get(full, ROLES)).status).toBe(200);
    expect((await get(full, `${SECURITY_API}/users/ada`)).status).toBe(200);
  });
});

describe("a user whose roles do not require MFA", () => {
  it("logs in and works without it", async () => {
    await createUser(env, "vic", ["viewer"]);
    await setPasswordAsAdmin(env, "vic", PASSWORD);
    const r = await post(undefined, authPaths.login, { username: "vic", password: PASSWORD });
    expect((await get((await json(r)).token as string, ROLES)).status).toBe(200);
  });
});
