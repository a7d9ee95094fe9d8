// Account takeover, as an attacker holding little would try it through the real server: every path that
// turns a write on a user, a role or an API key into a credential. Whatever the attacker does, every
// credential they end up with carries no more than they hold themselves.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock, toRfc3339 } from "../machinery/clock.js";
import { PermissionSet } from "../rbac/permissions.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { authPaths, SECURITY_API } from "../types/auth-api.js";
import { as, createApiKey, createRole, createUser, json, keyFor, login, mint, setPasswordAsAdmin, type Body, type Caller } from "./testing/identity-fixtures.js";

const clock = new FakeClock(Date.parse("2026-03-01T08:00:00Z"));
let env: EnvTest;
beforeAll(async () => {
  env = await startEnvTest({ clock });
});
afterAll(async () => env?.stop());

const USERS = `${SECURITY_API}/users`;
const APIKEYS = `${SECURITY_API}/apikeys`;
const ROLES = `${SECURITY_API}/roles`;
const PASSWORD = "the attacker's own password";

interface Attack {
  /** The attacker's API key (scopes *:*, so it carries exactly the attacker's roles). */
  a: Caller;
  attacker: string;
  /** A user holding role admin (*:*), created for this case. */
  victim: string;
}

const patch = (who: Caller, path: string, body: unknown) =>
  who.request(path, { method: "PATCH", headers: { "Content-Type": "application/merge-patch+json" }, body: JSON.stringify(body) });
const post = (who: Caller, path: string, body?: unknown) => who.request(path, { method: "POST", ...(body !== undefined ? { json: body } : {}) });
const admin = () => as(env, env.token);

/** The secret a successful mint or rotate returned, else nothing. */
async function secretOf(r: Response): Promise<string[]> {
  return r.ok ? [((await json(r)) as { secret: string }).secret] : [];
}

/** A session token when the login works, else nothing. */
async function tryLogin(username: string, password: string): Promise<string[]> {
  const r = await post(as(env, undefined), authPaths.login, { username, password });
  return r.ok ? [((await json(r)) as { token: string }).token] : [];
}

/** A key of the victim minted by the admin, as if its secret leaked to the attacker. */
async function leakedKey(victim: string, extra: Body = {}): Promise<string> {
  await createApiKey(env, `${victim}-leaked`, victim, ["*:*"], extra);
  return (await mint(env, `${victim}-leaked`)).secret;
}

const disable = (who: Caller, user: string, disabled: boolean) => patch(who, `${USERS}/${user}`, { spec: { disabled } });

const ATTACKS: [string, string[], (x: Attack) => Promise<string[]>][] = [
  [
    "disables the victim, sets its password while it holds nothing, re-enables it and logs in",
    ["users:update,read"],
    async ({ a, victim }) => {
      await disable(a, victim, true);
      await post(a, authPaths.userPassword(victim), { password: PASSWORD });
      await disable(a, victim, false);
      return tryLogin(victim, PASSWORD);
    },
  ],
  [
    "sets the password of a victim an admin disabled, then re-enables it",
    ["users:update,read"],
    async ({ a, victim }) => {
      await disable(admin(), victim, true);
      await post(a, authPaths.userPassword(victim), { password: PASSWORD });
      await disable(a, victim, false);
      return tryLogin(victim, PASSWORD);
    },
  ],
  [
    "re-enables a victim an admin disabled, whose leaked key then works again",
    ["users:update,read"],
    async ({ a, victim }) => {
      const leaked = await leakedKey(victim);
      await disable(admin(), victim, true);
      await disable(a, victim, false);
      return [leaked];
    },
  ],
  [
    "disables the victim, rotates its key, re-enables it",
    ["users:update,read", "apikeys:admin"],
    async ({ a, victim }) => {
      await createApiKey(env, `${victim}-ci`, victim, ["*:*"]);
      await mint(env, `${victim}-ci`);
      await disable(a, victim, true);
      const got = await secretOf(await post(a, authPaths.apiKeyRotate(`${victim}-ci`)));
      await disable(a, victim, false);
      return got;
    },
  ],
  [
    "disables the victim, mints the secret of its never-minted key, re-enables it",
    ["users:update,read", "apikeys:admin"],
    async ({ a, victim }) => {
      await createApiKey(env, `${victim}-new`, victim, ["*:*"]);
      await disable(a, victim, true);
      const got = await secretOf(await post(a, authPaths.apiKeySecret(`${victim}-new`)));
      await disable(a, victim, false);
      return got;
    },
  ],
  [
    "creates keys owned by the disabled victim, as wide as it can, mints them and re-enables the victim",
    ["users:update,read", "apikeys:admin"],
    async ({ a, victim }) => {
      await disable(a, victim, true);
      const got: string[] = [];
      for (const [name, scopes] of [[`${victim}-wide`, ["*:*"]], [`${victim}-held`, ["users:update,read", "apikeys:admin"]]] as const) {
        await post(a, APIKEYS, { apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name }, spec: { displayName: name, owner: victim, scopes } });
        got.push(...(await secretOf(await post(a, authPaths.apiKeySecret(name)))));
      }
      await disable(a, victim, false);
      return got;
    },
  ],
  [
    "widens the scopes of a key it minted for the victim",
    ["users:read", "apikeys:admin"],
    async ({ a, victim }) => {
      const name = `${victim}-narrow`;
      await post(a, APIKEYS, { apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name }, spec: { displayName: name, owner: victim, scopes: ["users:read"] } });
      const got = await secretOf(await post(a, authPaths.apiKeySecret(name)));
      await patch(a, `${APIKEYS}/${name}`, { spec: { scopes: ["*:*"] } });
      return got;
    },
  ],
  [
    "moves its own key to the victim and rotates it",
    ["users:read", "apikeys:admin"],
    async ({ a, attacker, victim }) => {
      await createApiKey(env, `${attacker}-own`, attacker, ["*:*"]);
      await patch(a, `${APIKEYS}/${attacker}-own`, { spec: { owner: victim } });
      return secretOf(await post(a, authPaths.apiKeyRotate(`${attacker}-own`)));
    },
  ],
  [
    "extends the expiry of the victim's expired key that leaked",
    ["apikeys:update,read"],
    async ({ a, victim }) => {
      const leaked = await leakedKey(victim, { duration: "30m" });
      clock.step(30 * 60_000);
      await patch(a, `${APIKEYS}/${victim}-leaked`, { spec: { expiresAt: toRfc3339(clock.now() + 365 * 86_400_000) } });
      await patch(a, `${APIKEYS}/${victim}-leaked`, { spec: { duration: null } });
      return [leaked];
    },
  ],
  [
    "deletes the victim and creates it again under the same name, with the victim's roles or none",
    ["users:create,delete,update,read"],
    async ({ a, victim }) => {
      await a.request(`${USERS}/${victim}`, { method: "DELETE" });
      await post(a, USERS, { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: victim }, spec: { roles: ["admin"] } });
      await post(a, USERS, { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: victim }, spec: { roles: [] } });
      await post(a, authPaths.userPassword(victim), { password: PASSWORD });
      return tryLogin(victim, PASSWORD);
    },
  ],
  [
    "widens a role the victim holds, whose leaked key it has",
    ["roles:update,read", "nodes:read"],
    async ({ a, victim }) => {
      await createRole(env, `${victim}-shared`, ["nodes:read"]);
      await patch(admin(), `${USERS}/${victim}`, { spec: { roles: [`${victim}-shared`] } });
      const leaked = await leakedKey(victim);
      await patch(a, `${ROLES}/${victim}-shared`, { spec: { permissions: ["*:*"] } });
      return [leaked];
    },
  ],
  [
    "sets the password of a victim whose role does not exist yet, before an admin creates it",
    ["users:update,read"],
    async ({ a, victim }) => {
      await patch(admin(), `${USERS}/${victim}`, { spec: { roles: [`${victim}-future`] } });
      await post(a, authPaths.userPassword(victim), { password: PASSWORD });
      await createRole(env, `${victim}-future`, ["*:*"]);
      return tryLogin(victim, PASSWORD);
    },
  ],
  [
    "clears the revocation of the victim's sessions, whose leaked token then works again",
    ["users:admin"],
    async ({ a, victim }) => {
      await setPasswordAsAdmin(env, victim, "the victim's password");
      const leaked = (await login(env, victim, "the victim's password")).token;
      clock.step(1000);
      // What the users controller does when a user is disabled, and an admin enabling it again later.
      await patch(admin(), `${USERS}/${victim}/status`, { status: { sessionsRevokedAt: toRfc3339(clock.now()) } });
      await patch(a, `${USERS}/${victim}/status`, { status: { sessionsRevokedAt: null } });
      await patch(a, `${USERS}/${victim}/status`, { status: { sessionsRevokedAt: "2000-01-01T00:00:00Z" } });
      return [leaked];
    },
  ],
];

/** What a credential may do now: nothing when it no longer authenticates. */
async function reach(credential: string): Promise<PermissionSet> {
  const r = await as(env, credential).request(authPaths.whoami);
  if (r.status === 401) return PermissionSet.empty;
  expect(r.status).toBe(200);
  return PermissionSet.parse(((await json(r)) as { permissions: string[] }).permissions);
}

describe("an attacker holding little never gets a credential carrying more", () => {
  let seq = 0;
  it.each(ATTACKS)("when it %s", async (_name, holds, attack) => {
    const n = ++seq;
    const attacker = `attacker-${n}`;
    const victim = `victim-${n}`;
    await createRole(env, `${attacker}-role`, holds);
    const a = as(env, (await keyFor(env, { user: attacker, roles: [`${attacker}-role`] })).secret);
    await createUser(env, victim, ["admin"]);
    const held = PermissionSet.parse(holds);
    const credentials = await attack({ a, attacker, victim });
    for (const credential of credentials) expect((await reach(credential)).minus(held).toStrings()).toEqual([]);
  });
});

describe("what the checks say, and what they still allow", () => {
  let a: Caller;
  beforeAll(async () => {
    await createRole(env, "user-keeper", ["users:update,read", "apikeys:update,read"]);
    a = as(env, (await keyFor(env, { user: "keeper", roles: ["user-keeper"] })).secret);
    await createUser(env, "boss", ["admin"]);
    await createApiKey(env, "boss-temp", "boss", ["*:*"], { duration: "1h" });
  });

  it("lets a users:update holder disable a user who holds more, to stop an incident", async () => {
    expect((await disable(a, "boss", true)).status).toBe(200);
  });

  it.each([
    ["re-enabling it", () => disable(a, "boss", false), /^user "keeper" cannot re-enable user "boss": user "boss" holds .*nodes:\*.*, which keeper with API key ak_\w+ does not hold; only someone who holds all a user holds may act as that user$/],
    ["setting its password while it is disabled", () => post(a, authPaths.userPassword("boss"), { password: PASSWORD }), /cannot set the password of user "boss": user "boss" holds .*secrets:\*/],
    ["extending the life of its key", () => patch(a, `${APIKEYS}/boss-temp`, { spec: { duration: "3650d" } }), /cannot extend the life of API key "boss-temp": user "boss" holds .*secrets:\*/],
  ])("refuses %s to one who does not hold all it holds, with 403 saying so", async (_name, attempt, message) => {
    const r = await attempt();
    expect(r.status).toBe(403);
    expect((await json(r)).message).toMatch(message);
  });

  it("lets one who holds all the user holds re-enable it and extend its key, and anyone shorten the key's life", async () => {
    expect((await patch(a, `${APIKEYS}/boss-temp`, { spec: { duration: "30m" } })).status).toBe(200);
    expect((await disable(admin(), "boss", false)).status).toBe(200);
    expect((await patch(admin(), `${APIKEYS}/boss-temp`, { spec: { duration: "3650d" } })).status).toBe(200);
  });
});
