// [auth] disable_inactive_after_days: the pure decisions as tables, then both controllers in a manager
// against the real API server on a fake clock: a stale user and key are disabled and revoked, with the
// reason annotated; fresh ones, and the last admin, are left alone.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../../api/client/rest-client.js";
import { FakeClock, toRfc3339 } from "../../api/machinery/clock.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import type { ApiKey } from "../../api/types/api-key.js";
import { INACTIVE_REASON_ANNOTATION } from "../../api/types/credential-activity.js";
import type { User } from "../../api/types/user.js";
import { as, createApiKey, createRole, createUser, mint } from "../../api/auth/testing/identity-fixtures.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { decideKeyInactivity, inactiveApiKeysController } from "../apikeys/inactive-apikeys-controller.js";
import { Informer } from "../runtime/informer.js";
import { controllerIdentityClient } from "../secrets/testing/controller-identity.js";
import { restListWatcher } from "../runtime/list-watcher.js";
import { Manager } from "../runtime/manager.js";
import { objectUntil } from "../runtime/testing/cache-wait.js";
import { silentLogger } from "../runtime/testing/silent-logger.js";
import { decideUserInactivity, inactiveUsersController } from "./inactive-users-controller.js";

const DAY = 86_400_000;
/** The reads, and the patch of spec that [auth] disable_inactive_after_days adds (cmd/server/controllers.ts). */
const CONTROLLER_ACCESS = [
  { resources: ["users", "apikeys", "leases"], verbs: ["get", "list", "watch"] },
  { resources: ["users", "apikeys"], verbs: ["patch"] },
];
const T0 = Date.parse("2026-01-01T00:00:00Z");
const at = (days: number) => toRfc3339(T0 + days * DAY);

const user = (name: string, ...mods: ((u: User) => void)[]): User => {
  const u: User = { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name, creationTimestamp: at(0) }, spec: { roles: ["reader"] } };
  for (const mod of mods) mod(u);
  return u;
};
const key = (name: string, owner: string, ...mods: ((k: ApiKey) => void)[]): ApiKey => {
  const k: ApiKey = { apiVersion: "security.clawbernetes.com/v1", kind: "ApiKey", metadata: { name, creationTimestamp: at(0) }, spec: { displayName: name, owner, scopes: ["*:*"] }, status: { phase: "Active" } };
  for (const mod of mods) mod(k);
  return k;
};
const loggedIn = (days: number) => (u: User) => void (u.status = { ...u.status, lastLoginTime: at(days) });
const used = (days: number) => (k: ApiKey) => void (k.status = { ...k.status, lastUsedTime: at(days) });
const admin = (u: User) => void (u.spec = { ...u.spec, roles: ["admin"] });
const disabled = (u: User) => void (u.spec = { ...u.spec, disabled: true });
const revoked = (k: ApiKey) => void (k.spec && (k.spec.revoked = true));

describe("decideUserInactivity, 90 days, at day 100", () => {
  const opts = { nowMs: T0 + 100 * DAY, days: 90 };
  it.each([
    ["disables a user never logged in, created more than 90 days ago", user("u"), [], [], "disable"],
    ["disables a user whose last login is 95 days old", user("u", loggedIn(5)), [], [], "disable"],
    ["waits on a user who logged in 20 days ago", user("u", loggedIn(80)), [], [], "wait"],
    ["waits on a user who never logged in but whose key was used 10 days ago", user("u"), [at(90)], [], "wait"],
    ["leaves a disabled user alone", user("u", disabled), [], [], "none"],
    ["leaves the last enabled admin alone", user("root", admin), [], ["root"], "none"],
    ["disables an idle admin when another admin is enabled", user("root", admin), [], ["other", "root"], "disable"],
    ["does nothing for a user that is gone", undefined, [], [], "none"],
  ])("%s", (_name, u, keyTimes, admins, want) => {
    expect(decideUserInactivity({ user: u, keyTimes, admins }, opts).action).toBe(want);
  });

  it("says when it waits until, and why it disables", () => {
    expect(decideUserInactivity({ user: user("u", loggedIn(80)), keyTimes: [], admins: [] }, opts)).toEqual({ action: "wait", untilMs: T0 + 170 * DAY + 1 });
    expect(decideUserInactivity({ user: user("u", loggedIn(5)), keyTimes: [], admins: [] }, opts)).toMatchObject({ reason: expect.stringContaining(`last: ${at(5)}`) });
  });
});

describe("decideKeyInactivity, 90 days, at day 100", () => {
  const opts = { nowMs: T0 + 100 * DAY, days: 90 };
  it.each([
    ["revokes a key never used, created more than 90 days ago", key("k", "u"), [], [], "revoke"],
    ["revokes a key last used 95 days ago", key("k", "u", used(5)), [], [], "revoke"],
    ["waits on a key used 10 days ago", key("k", "u", used(90)), [], [], "wait"],
    ["leaves a revoked key alone", key("k", "u", revoked), [], [], "none"],
    ["leaves an expired key alone", key("k", "u", (k) => void (k.status = { phase: "Expired" })), [], [], "none"],
    ["leaves the last admin's last usable key alone", key("k", "root"), [key("k", "root"), key("old", "root", revoked)], ["root"], "none"],
    ["revokes an idle key of the last admin who holds another", key("k", "root"), [key("k", "root"), key("k2", "root")], ["root"], "revoke"],
  ])("%s", (_name, k, ownerKeys, admins, want) => {
    expect(decideKeyInactivity({ key: k, ownerKeys, admins }, opts).action).toBe(want);
  });
});

describe("the inactive-credentials controllers against the real server", () => {
  const clock = new FakeClock(T0);
  let env: EnvTest;
  let client: RestClient;
  let manager: Manager;
  const observers: Informer<KubeObject>[] = [];
  let users: Informer<User>;
  let keys: Informer<ApiKey>;

  function observe<T extends KubeObject>(plural: string): Informer<T> {
    const informer = new Informer<T>({ source: restListWatcher<T>(client, plural), clock, logger: silentLogger() });
    observers.push(informer as unknown as Informer<KubeObject>);
    informer.start();
    return informer;
  }

  beforeAll(async () => {
    // As the in-process controllers reach the server: their identity, with the rules the setting adds.
    env = await startEnvTest({ clock, controllerIdentity: { rules: CONTROLLER_ACCESS } });
    client = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
    const controllerClient = controllerIdentityClient(env);
    await createRole(env, "reader", ["nodes:read,list"]);
    await createUser(env, "stale-user", ["reader"]);
    await createUser(env, "fresh-user", ["reader"]);
    await createApiKey(env, "stale-key", "fresh-user", ["nodes:read,list"]);
    await createApiKey(env, "fresh-key", "fresh-user", ["nodes:read,list"]);
    const fresh = await mint(env, "fresh-key");
    await mint(env, "stale-key");
    users = observe<User>("users");
    keys = observe<ApiKey>("apikeys");
    await Promise.all(observers.map((o) => o.waitForSync()));
    manager = new Manager({ client: controllerClient, clock, logger: silentLogger(), controllers: [inactiveUsersController({ days: 90 }), inactiveApiKeysController({ days: 90 })] });
    manager.start();
    clock.step(85 * DAY);
    expect((await as(env, fresh.secret).request("/apis/security.clawbernetes.com/v1/nodes")).status).toBe(200);
    // The use is recorded after the answer (status.lastUsedTime): six days pass only once the controllers' own
    // cache holds it, or they would judge the key by the cache of a moment before.
    const usedNow = (k: ApiKey | undefined) => k?.status?.lastUsedTime !== undefined && Date.parse(k.status.lastUsedTime) >= T0 + 85 * DAY;
    await manager.idle();
    const managerKeys = manager.informer<ApiKey>("apikeys");
    if (!managerKeys) throw new Error("the controller manager is not leading yet");
    await objectUntil(managerKeys, "fresh-key", usedNow);
    clock.step(6 * DAY);
    await objectUntil(users, "stale-user", (u) => u?.spec?.disabled === true);
    await objectUntil(keys, "stale-key", (k) => k?.spec?.revoked === true);
  });
  afterAll(async () => {
    await manager?.stop();
    await Promise.all(observers.map((o) => o.stop()));
    await client?.close();
    await env?.stop();
  });

  it.each([
    ["disables the user who never logged in", "users", "stale-user", { spec: { disabled: true } }],
    ["revokes the key never used", "apikeys", "stale-key", { spec: { revoked: true } }],
  ])("%s, saying why in an annotation", async (_name, plural, name, want) => {
    const live = await client.get(plural, name);
    expect(live).toMatchObject(want);
    expect(live.metadata.annotations?.[INACTIVE_REASON_ANNOTATION]).toMatch(/more than 90d .*last(?: used)?: never/);
  });

  it.each([
    ["leaves the user whose key was used 6 days ago enabled", "users", "fresh-user", (o: KubeObject) => (o as User).spec?.disabled !== true],
    ["leaves the key used 6 days ago unrevoked", "apikeys", "fresh-key", (o: KubeObject) => (o as ApiKey).spec?.revoked !== true],
    ["leaves the bootstrap admin enabled", "users", "admin", (o: KubeObject) => (o as User).spec?.disabled !== true],
    ["leaves the bootstrap admin's key unrevoked", "apikeys", "bootstrap-admin", (o: KubeObject) => (o as ApiKey).spec?.revoked !== true],
  ])("%s", async (_name, plural, name, holds) => {
    expect(holds(await client.get(plural, name))).toBe(true);
  });

  it("records the change in the audit log as resource.updated by the controllers' field manager", async () => {
    const page = (await (await env.request("/apis/audit.clawbernetes.com/v1/events?type=resource.updated&limit=1000")).json()) as { items: { resource?: { name?: string }; details?: { fieldManager?: string } }[] };
    const names = page.items.filter((e) => e.details?.fieldManager === "claw-inactive-credentials").map((e) => e.resource?.name).sort();
    expect(names).toEqual(["stale-key", "stale-user"]);
  });
});
