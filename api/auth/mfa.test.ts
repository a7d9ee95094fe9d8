// TOTP MFA through the real server: enrolment, logins with a code, single-use codes and recovery codes,
// the wrong-code lock, disabling, and that no secret or code reaches the store or the audit log in plain text.

import { Secret } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { AuditReader } from "../audit/audit-reader.js";
import { FakeClock } from "../machinery/clock.js";
import { authPaths } from "../types/auth-api.js";
import { mfaPaths, MFA_REQUIRED_REASON } from "../types/mfa-api.js";
import { as, createUser, json, setPasswordAsAdmin } from "./testing/identity-fixtures.js";
import { totpCodeAt } from "./totp.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
const PASSWORD = "correct horse battery staple";
const STEP = 30_000;
let env: EnvTest;
/** Every secret and code handed out, to look for in the store and the audit log at the end. */
const handedOut: string[] = [];

beforeAll(async () => {
  env = await startEnvTest({ clock });
});
afterAll(async () => env?.stop());

const post = (credential: string | undefined, path: string, body?: unknown) => as(env, credential).request(path, { method: "POST", ...(body !== undefined ? { json: body } : {}) });
const loginWith = (username: string, extra: Record<string, unknown> = {}) => post(undefined, authPaths.login, { username, password: PASSWORD, ...extra });
const codeNow = (secret: string) => totpCodeAt(Secret.fromBase32(secret).bytes, clock.now());

async function sessionOf(username: string): Promise<string> {
  const r = await loginWith(username);
  expect(r.status).toBe(200);
  return (await json(r)).token as string;
}

/** A user with a password and MFA on; returns their base32 secret and recovery codes. */
async function enrolled(username: string, roles: string[] = ["viewer"]): Promise<{ secret: string; recovery: string[] }> {
  await createUser(env, username, roles);
  await setPasswordAsAdmin(env, username, PASSWORD);
  const token = await sessionOf(username);
  const start = await post(token, mfaPaths.enroll(username));
  expect(start.status).toBe(201);
  const { secret, uri } = await json(start);
  expect(uri).toMatch(/^otpauth:\/\/totp\/Clawbernetes:.*algorithm=SHA1&digits=6&period=30/);
  const confirm = await post(token, mfaPaths.confirm(username), { code: codeNow(secret) });
  expect(confirm.status).toBe(200);
  const recovery = (await json(confirm)).recoveryCodes as string[];
  handedOut.push(secret, ...recovery);
  clock.step(STEP);
  return { secret, recovery };
}

describe("enrolment", () => {
  it("turns MFA on only after a first valid code, and shows 10 recovery codes once", async () => {
    await createUser(env, "erin", ["viewer"]);
    await setPasswordAsAdmin(env, "erin", PASSWORD);
    const token = await sessionOf("erin");
    const { secret } = await json(await post(token, mfaPaths.enroll("erin")));
    handedOut.push(secret);
    expect(await json(await as(env, token).request(mfaPaths.status("erin")))).toMatchObject({ enabled: false, pending: true });
    expect((await post(token, mfaPaths.confirm("erin"), { code: "000000" })).status).toBe(422);
    const confirm = await post(token, mfaPaths.confirm("erin"), { code: codeNow(secret) });
    const codes = (await json(confirm)).recoveryCodes as string[];
    handedOut.push(...codes);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(await json(await as(env, token).request(mfaPaths.status("erin")))).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 });
    expect((await post(token, mfaPaths.enroll("erin"))).status).toBe(409);
  });

  it.each([
    ["an admin cannot enrol MFA for someone else", "enroll"],
    ["an admin cannot confirm MFA for someone else", "confirm"],
  ] as const)("%s", async (_name, what) => {
    await createUser(env, `other-${what}`, ["viewer"]);
    const r = await post(env.token, mfaPaths[what](`other-${what}`), { code: "123456" });
    expect(r.status).toBe(403);
  });

  it("refuses another user's MFA status to a caller without users:read", async () => {
    await createUser(env, "nosy", ["viewer"]);
    await setPasswordAsAdmin(env, "nosy", PASSWORD);
    const token = await sessionOf("nosy");
    expect((await as(env, token).request(mfaPaths.status("erin"))).status).toBe(200);
    await createUser(env, "bare", []);
    await setPasswordAsAdmin(env, "bare", PASSWORD);
    const bare = await sessionOf("bare");
    expect((await as(env, bare).request(mfaPaths.status("erin"))).status).toBe(403);
    expect((await as(env, bare).request(mfaPaths.status("bare"))).status).toBe(200);
  });
});

describe("login with MFA on", () => {
  it("asks for a code with a distinct reason, and never gives a session without one", async () => {
    await enrolled("mia");
    const r = await loginWith("mia");
    expect(r.status).toBe(401);
    const body = await json(r);
    expect(body.details.causes[0].reason).toBe(MFA_REQUIRED_REASON);
    expect(body.token).toBeUndefined();
  });

  it("gives a session for the password and a current code, and refuses the same code again", async () => {
    const { secret } = await enrolled("cody");
    const code = codeNow(secret);
    expect((await loginWith("cody", { code })).status).toBe(200);
    const again = await loginWith("cody", { code });
    expect(again.status).toBe(401);
    expect((await json(again)).message).toBe("Unauthorized: the username or password is not correct");
    clock.step(STEP);
    expect((await loginWith("cody", { code: codeNow(secret) })).status).toBe(200);
  });

  it("accepts a recovery code once", async () => {
    const { recovery } = await enrolled("rita");
    expect((await loginWith("rita", { code: recovery[0] })).status).toBe(200);
    expect((await loginWith("rita", { code: recovery[0] })).status).toBe(401);
    expect((await loginWith("rita", { code: recovery[1]!.toUpperCase() })).status).toBe(200);
  });

  it("does not spend a recovery code on a wrong password, and answers it like a wrong code", async () => {
    const { recovery } = await enrolled("walt");
    const r = await post(undefined, authPaths.login, { username: "walt", password: "wrong password!", code: recovery[0] });
    expect(r.status).toBe(401);
    expect((await json(r)).message).toBe("Unauthorized: the username or password is not correct");
    expect((await loginWith("walt", { code: recovery[0] })).status).toBe(200);
  });

  it("locks after 5 wrong codes for 15 minutes, even for the right code, and audits the failures", async () => {
    const { secret } = await enrolled("lock");
    for (let i = 0; i < 5; i++) expect((await loginWith("lock", { code: "000000" })).status).toBe(401);
    const locked = await loginWith("lock", { code: codeNow(secret) });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("900");
    clock.step(15 * 60_000);
    expect((await loginWith("lock", { code: codeNow(secret) })).status).toBe(200);
    const page = await new AuditReader(env.audit!.log.batches).query({ types: ["auth.login"], limit: 1000 });
    const failures = page.items.filter((e) => e.actor === "lock" && e.outcome === "failure");
    expect(failures.some((e) => JSON.stringify(e.details).includes("mfa-locked"))).toBe(true);
    expect(failures.some((e) => JSON.stringify(e.details).includes("wrong-code"))).toBe(true);
  });
});

describe("disable", () => {
  it("needs a current code from the user themself", async () => {
    const { secret } = await enrolled("dora");
    const token = (await json(await loginWith("dora", { code: codeNow(secret) }))).token as string;
    clock.step(STEP);
    expect((await post(token, mfaPaths.disable("dora"), {})).status).toBe(403);
    expect((await post(token, mfaPaths.disable("dora"), { code: "000000" })).status).toBe(403);
    expect((await post(token, mfaPaths.disable("dora"), { code: codeNow(secret) })).status).toBe(200);
    expect((await loginWith("dora")).status).toBe(200);
  });

  it("lets a holder of users:admin disable another user's MFA without a code", async () => {
    await enrolled("lost");
    const r = await post(env.token, mfaPaths.disable("lost"));
    expect(await json(r)).toMatchObject({ enabled: false });
    expect((await loginWith("lost")).status).toBe(200);
  });

  it("refuses to disable another user's MFA without users:admin", async () => {
    await enrolled("kept");
    await createUser(env, "peer", ["operator"]);
    await setPasswordAsAdmin(env, "peer", PASSWORD);
    expect((await post(await sessionOf("peer"), mfaPaths.disable("kept"))).status).toBe(403);
  });
});

describe("secrecy", () => {
  it("keeps no TOTP secret or recovery code in plain text in the store or the audit log", async () => {
    expect(handedOut.length).toBeGreaterThan(20);
    const stored = (await env.store.list("/")).items.map((kv) => kv.value).join("\n");
    const audit = JSON.stringify((await new AuditReader(env.audit!.log.batches).query({ limit: 10_000 })).items);
    for (const value of handedOut) {
      for (const text of [stored, audit]) {
        expect(text).not.toContain(value);
        expect(text.toLowerCase()).not.toContain(value.toLowerCase().replace(/-/g, ""));
      }
    }
  });
});
