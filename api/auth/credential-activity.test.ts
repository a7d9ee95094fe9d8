// Credential telemetry against the real server: ApiKey status.lastUsedTime and User status.lastLoginTime,
// written at most once per credential per interval, and not recorded in the audit log as resource.updated.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { FakeClock, toRfc3339 } from "../machinery/clock.js";
import { CREDENTIAL_ACTIVITY_MANAGER, SECURITY_API } from "../types/auth-api.js";
import { as, createRole, json, keyFor, login, sessionFor } from "./testing/identity-fixtures.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;

beforeAll(async () => {
  env = await startEnvTest({ clock, passwordParams: { N: 2 ** 10, r: 8, p: 1 } });
  await createRole(env, "reader", ["nodes:read,list"]);
});
afterAll(async () => env?.stop());

const apiKey = async (name: string) => json(await env.request(`${SECURITY_API}/apikeys/${name}`));
const user = async (name: string) => json(await env.request(`${SECURITY_API}/users/${name}`));
const use = async (secret: string) => expect((await as(env, secret).request(`${SECURITY_API}/nodes`)).status).toBe(200);

describe("an API key's lastUsedTime", () => {
  it("is absent before the key is used", async () => {
    const secret = await keyFor(env, { user: "idle", roles: ["reader"], scopes: ["nodes:read,list"] });
    expect((await apiKey(secret.name)).status.lastUsedTime).toBeUndefined();
  });

  it("is written once for two uses within the interval, and again after it", async () => {
    const secret = await keyFor(env, { user: "busy", roles: ["reader"], scopes: ["nodes:read,list"] });
    const first = toRfc3339(clock.now());
    await use(secret.secret);
    const once = await apiKey(secret.name);
    expect(once.status.lastUsedTime).toBe(first);
    clock.step(10 * MINUTE);
    await use(secret.secret);
    const twice = await apiKey(secret.name);
    expect({ at: twice.status.lastUsedTime, rv: twice.metadata.resourceVersion }).toEqual({ at: first, rv: once.metadata.resourceVersion });
    clock.step(HOUR);
    await use(secret.secret);
    expect((await apiKey(secret.name)).status.lastUsedTime).toBe(toRfc3339(clock.now()));
  });
});

describe("a user's lastLoginTime", () => {
  it("is written by a successful login", async () => {
    await sessionFor(env, { user: "ada", roles: ["reader"], password: "a long enough password" });
    expect((await user("ada")).status.lastLoginTime).toBe(toRfc3339(clock.now()));
    clock.step(2 * HOUR);
    await login(env, "ada", "a long enough password");
    expect((await user("ada")).status.lastLoginTime).toBe(toRfc3339(clock.now()));
  });

  it("is not written by a failed login", async () => {
    await sessionFor(env, { user: "bob", roles: ["reader"], password: "a long enough password" });
    const before = (await user("bob")).status.lastLoginTime;
    clock.step(2 * HOUR);
    const r = await as(env, undefined).request("/apis/auth.clawbernetes.com/v1/login", { method: "POST", json: { username: "bob", password: "wrong password here" } });
    expect(r.status).toBe(401);
    expect((await user("bob")).status.lastLoginTime).toBe(before);
  });
});

describe("the audit log", () => {
  it("records no resource.updated for the telemetry status writes", async () => {
    const page = await json(await env.request("/apis/audit.clawbernetes.com/v1/events?type=resource.updated&limit=1000"));
    const items = page.items as { details?: { fieldManager?: string } }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((e) => e.details?.fieldManager === CREDENTIAL_ACTIVITY_MANAGER)).toEqual([]);
  });
});
