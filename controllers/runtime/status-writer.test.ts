import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../../api/client/rest-client.js";
import type { User } from "../../api/types/user.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { nextStatus, writeStatus } from "./status-writer.js";
import { sameJson } from "./same-json.js";

describe("nextStatus", () => {
  it.each<[string, unknown, unknown, readonly string[] | undefined, Record<string, unknown>]>([
    ["takes the computed status whole when no fields are named", { phase: "Active", keyId: "ak_x" }, { phase: "Expired" }, undefined, { phase: "Expired" }],
    ["replaces only the owned fields, keeping the others", { phase: "Active", keyId: "ak_x", secretFetched: true }, { phase: "Expired" }, ["phase"], { phase: "Expired", keyId: "ak_x", secretFetched: true }],
    ["removes an owned field the computed status leaves out", { phase: "Active", expiresAt: "2026-01-01T00:00:00Z", keyId: "ak_x" }, { phase: "Active" }, ["phase", "expiresAt"], { phase: "Active", keyId: "ak_x" }],
    ["ignores computed fields it does not own", { keyId: "ak_x" }, { phase: "Active", keyId: "ak_other" }, ["phase"], { phase: "Active", keyId: "ak_x" }],
    ["starts from nothing when there is no status yet", undefined, { phase: "Pending" }, ["phase"], { phase: "Pending" }],
    ["drops fields set to undefined", undefined, { phase: "Pending", expiresAt: undefined }, undefined, { phase: "Pending" }],
  ])("%s", (_name, current, computed, owned, expected) => {
    expect(nextStatus(current, computed, owned)).toEqual(expected);
  });
});

describe("sameJson", () => {
  it.each<[string, unknown, unknown, boolean]>([
    ["ignores key order", { a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }, true],
    ["treats a key set to undefined as absent", { a: 1, b: undefined }, { a: 1 }, true],
    ["sees a changed value", { a: 1 }, { a: 2 }, false],
    ["sees array order", [1, 2], [2, 1], false],
    ["sees an added key", { a: 1 }, { a: 1, b: null }, false],
  ])("%s", (_name, a, b, expected) => {
    expect(sameJson(a, b)).toBe(expected);
  });
});

describe("writeStatus against the API server", () => {
  let env: EnvTest;
  let client: RestClient;
  beforeAll(async () => {
    env = await startEnvTest();
    client = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
  });
  afterAll(async () => {
    await client?.close();
    await env?.stop();
  });

  const createUser = (name: string) => client.create<User>("users", { apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name }, spec: { roles: ["viewer"] } });
  const write = (current: User, status: NonNullable<User["status"]>, ownedFields?: readonly string[]) =>
    writeStatus({ client, plural: "users", current, status, fieldManager: "test-controller", ...(ownedFields ? { ownedFields } : {}) });

  it("writes a changed status once through /status, and nothing when it is unchanged", async () => {
    const user = await createUser("sw-a");
    const first = await write(user, { missingRoles: [], effectivePermissions: ["nodes:read"] });
    expect(first.written).toBe(true);
    expect(first.object.status).toEqual({ missingRoles: [], effectivePermissions: ["nodes:read"] });
    const again = await write(first.object, { effectivePermissions: ["nodes:read"], missingRoles: [] });
    expect(again).toEqual({ written: false, object: first.object });
    expect((await client.get<User>("users", "sw-a")).metadata.resourceVersion).toBe(first.object.metadata.resourceVersion);
  });

  it("keeps the fields it does not own", async () => {
    const user = await createUser("sw-b");
    const seeded = await client.updateStatus<User>("users", { ...user, status: { sessionsRevokedAt: "2026-01-01T00:00:00Z", missingRoles: ["x"] } });
    const result = await write(seeded, { missingRoles: [] }, ["missingRoles"]);
    expect(result.object.status).toEqual({ sessionsRevokedAt: "2026-01-01T00:00:00Z", missingRoles: [] });
  });

  it("refuses to overwrite a status that moved since it was read (409, for a retry)", async () => {
    const user = await createUser("sw-c");
    await client.updateStatus<User>("users", { ...user, status: { missingRoles: ["other"] } });
    await expect(write(user, { missingRoles: [] })).rejects.toMatchObject({ code: 409, reason: "Conflict" });
  });

  it("never writes spec", async () => {
    const user = await createUser("sw-d");
    const result = await write({ ...user, spec: { roles: ["admin"] } }, { missingRoles: [] });
    expect(result.object.spec?.roles).toEqual(["viewer"]);
  });
});
