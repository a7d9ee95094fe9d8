import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../../api/client/rest-client.js";
import type { Role } from "../../api/types/role.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { addFinalizer, hasFinalizer, isBeingDeleted, removeFinalizer } from "./finalizers.js";

const FINALIZER = "security.clawbernetes.com/test-cleanup";
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

const createRole = (name: string) => client.create<Role>("roles", { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { permissions: ["nodes:read"] } });
const opts = (object: Role) => ({ client, plural: "roles", object, finalizer: FINALIZER, fieldManager: "test-controller" });

describe("finalizers", () => {
  it("adds a finalizer once, keeping the others", async () => {
    const role = await createRole("fin-a");
    const withOther = await client.patch<Role>("roles", "fin-a", { metadata: { finalizers: ["example.com/other"] } }, { type: "merge" });
    const added = await addFinalizer(opts(withOther));
    expect(added.metadata.finalizers).toEqual(["example.com/other", FINALIZER]);
    expect(await addFinalizer(opts(added))).toBe(added);
    expect(hasFinalizer(role, FINALIZER)).toBe(false);
  });

  it("holds a deleted object until the finalizer is removed, then lets it go", async () => {
    const added = await addFinalizer(opts(await createRole("fin-b")));
    await client.delete("roles", "fin-b");
    const deleting = await client.get<Role>("roles", "fin-b");
    expect(isBeingDeleted(deleting)).toBe(true);
    expect(await addFinalizer(opts(deleting))).toBe(deleting);
    expect(await removeFinalizer(opts(deleting))).toBeDefined();
    await expect(client.get("roles", "fin-b")).rejects.toMatchObject({ code: 404 });
    expect(added.metadata.finalizers).toEqual([FINALIZER]);
  });

  it("refuses to write finalizers over a change it has not seen (409)", async () => {
    const role = await createRole("fin-c");
    await client.patch("roles", "fin-c", { spec: { description: "moved on" } }, { type: "merge" });
    await expect(addFinalizer(opts(role))).rejects.toMatchObject({ code: 409 });
  });

  it("treats removing a finalizer from an object already gone as done", async () => {
    const added = await addFinalizer(opts(await createRole("fin-d")));
    await client.patch("roles", "fin-d", { metadata: { finalizers: [] } }, { type: "merge" });
    await client.delete("roles", "fin-d");
    await expect(removeFinalizer(opts(added))).resolves.toBeUndefined();
  });
});
