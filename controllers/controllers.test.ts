// The three controllers in a manager against the real API server (envtest, with identity and RBAC), on
// a fake clock shared by both: Role readiness, a User whose role is missing until it is created, and an
// ApiKey that expires exactly when the clock reaches its expiresAt.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authPaths } from "../api/types/auth-api.js";
import { RestClient } from "../api/client/rest-client.js";
import { FakeClock, toRfc3339 } from "../api/machinery/clock.js";
import type { KubeObject } from "../api/machinery/meta.js";
import type { ApiKey } from "../api/types/api-key.js";
import type { Role } from "../api/types/role.js";
import type { User } from "../api/types/user.js";
import { startEnvTest, type EnvTest } from "../test/envtest.js";
import { apiKeysController } from "./apikeys/apikeys-controller.js";
import { rolesController } from "./roles/roles-controller.js";
import { findCondition } from "../api/machinery/conditions.js";
import { Informer } from "./runtime/informer.js";
import { restListWatcher } from "./runtime/list-watcher.js";
import { Manager } from "./runtime/manager.js";
import { objectUntil } from "./runtime/testing/cache-wait.js";
import { silentLogger } from "./runtime/testing/silent-logger.js";
import { usersController } from "./users/users-controller.js";

const HOUR = 3_600_000;
const clock = new FakeClock();
let env: EnvTest;
let client: RestClient;
let manager: Manager;
/** The test's own view of the objects, to wait on their status without polling. */
const observers: Informer<KubeObject>[] = [];

function observe<T extends KubeObject>(plural: string): Informer<T> {
  const informer = new Informer<T>({ source: restListWatcher<T>(client, plural), clock, logger: silentLogger() });
  observers.push(informer as unknown as Informer<KubeObject>);
  informer.start();
  return informer;
}

let users: Informer<User>;
let roles: Informer<Role>;
let apiKeys: Informer<ApiKey>;

beforeAll(async () => {
  env = await startEnvTest({ clock });
  client = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
  manager = new Manager({ client, clock, logger: silentLogger(), controllers: [rolesController, usersController, apiKeysController] });
  manager.start();
  users = observe<User>("users");
  roles = observe<Role>("roles");
  apiKeys = observe<ApiKey>("apikeys");
  await Promise.all(observers.map((o) => o.waitForSync()));
});
afterAll(async () => {
  await manager?.stop();
  await Promise.all(observers.map((o) => o.stop()));
  await client?.close();
  await env?.stop();
});

const meta = (name: string) => ({ apiVersion: "security.clawbernetes.com/v1", metadata: { name } });

describe("the roles, users and apikeys controllers", () => {
  it("resolves the default roles and marks them Ready", async () => {
    await objectUntil(roles, "operator", (r) => findCondition(r?.status?.conditions, "Ready")?.status === "True");
    const operator = roles.get("operator");
    expect(operator?.status?.resolvedPermissions).toContain("nodes:list");
    expect(operator?.status?.resolvedPermissions).toContain("workloads:execute");
    expect(operator?.status?.observedGeneration).toBe(operator?.metadata.generation);
  });

  it("says a User's role is missing, then clears it once the Role is created", async () => {
    await client.create<User>("users", { ...meta("alice"), kind: "User", spec: { email: "alice@example.com", roles: ["operator", "ml-engineer"] } });
    await objectUntil(users, "alice", (u) => findCondition(u?.status?.conditions, "RolesResolved")?.status === "False");
    const waiting = users.get("alice")!;
    expect(findCondition(waiting.status?.conditions, "RolesResolved")).toMatchObject({ reason: "RoleNotFound", message: expect.stringContaining('"ml-engineer"') });
    expect(findCondition(waiting.status?.conditions, "Ready")).toMatchObject({ status: "False", reason: "RoleNotFound" });
    expect(waiting.status?.missingRoles).toEqual(["ml-engineer"]);

    await client.create<Role>("roles", { ...meta("ml-engineer"), kind: "Role", spec: { description: "ML team member", permissions: ["workloads:*", "nodes:read", "nodes:list", "secrets:read"] } });
    await objectUntil(users, "alice", (u) => findCondition(u?.status?.conditions, "Ready")?.status === "True");
    const resolved = users.get("alice")!;
    expect(findCondition(resolved.status?.conditions, "RolesResolved")).toMatchObject({ status: "True", reason: "AllRolesFound" });
    expect(resolved.status?.missingRoles).toEqual([]);
    expect(resolved.status?.effectivePermissions).toContain("secrets:read");
  });

  it("expires an ApiKey when the clock reaches its expiresAt, keeping the fields the identity endpoints wrote", async () => {
    const expiresAt = toRfc3339(clock.now() + HOUR);
    await client.create<ApiKey>("apikeys", { ...meta("ci-pipeline"), kind: "ApiKey", spec: { displayName: "CI/CD Pipeline", owner: "admin", scopes: ["nodes:read"], expiresAt } });
    await objectUntil(apiKeys, "ci-pipeline", (k) => k?.status?.phase === "Pending");
    await client.requestJson({ method: "POST", path: authPaths.apiKeySecret("ci-pipeline") });
    await objectUntil(apiKeys, "ci-pipeline", (k) => k?.status?.phase === "Active");
    const active = apiKeys.get("ci-pipeline")!;
    expect(active.status).toMatchObject({ expiresAt, keyId: expect.stringMatching(/^ak_/), secretFetched: true });
    expect(findCondition(active.status?.conditions, "Expired")).toMatchObject({ status: "False", reason: "NotExpired" });
    await manager.idle();

    clock.step(HOUR - 1000);
    await manager.idle();
    expect(apiKeys.get("ci-pipeline")?.status?.phase).toBe("Active");

    clock.step(1000);
    await objectUntil(apiKeys, "ci-pipeline", (k) => k?.status?.phase === "Expired");
    const expired = apiKeys.get("ci-pipeline")!;
    expect(findCondition(expired.status?.conditions, "Expired")).toMatchObject({ status: "True", reason: "Expired", lastTransitionTime: expiresAt });
    expect(findCondition(expired.status?.conditions, "Ready")).toMatchObject({ status: "False", reason: "Expired" });
    expect(expired.status).toMatchObject({ keyId: active.status?.keyId, secretFetched: true, rotation: active.status?.rotation });
  });
});
