import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RestClient } from "../../api/client/rest-client.js";
import { isConflict } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import type { User } from "../../api/types/user.js";
import { guardedPatch } from "./guarded-patch.js";
import { ADMIN_KEY } from "./testing/auth-fixture.js";
import { mergePatch, startFakeAuthServer, type FakeAuthServer } from "./testing/fake-auth-server.js";

const alice = (roles: string[]): KubeObject => ({ apiVersion: "security.clawbernetes.com/v1", kind: "User", metadata: { name: "alice" }, spec: { email: "a@x", roles } });
const addRole = (role: string) => (live: User) => (live.spec?.roles?.includes(role) ? undefined : { roles: [...(live.spec?.roles ?? []), role] });

let server: FakeAuthServer;
let client: RestClient;
let racesLeft = 0;
beforeEach(async () => {
  racesLeft = 0;
  server = await startFakeAuthServer({
    adminKey: ADMIN_KEY,
    now: "2026-01-01T00:00:00Z",
    beforePatch: () => {
      if (racesLeft-- > 0) server.put("users", alice([...((server.objects.users.get("alice")?.spec as { roles: string[] }).roles), `racer-${racesLeft}`]));
    },
  });
  server.put("users", alice(["viewer"]));
  client = new RestClient({ server: server.url, credential: { type: "apiKey", value: ADMIN_KEY } });
});
afterEach(async () => {
  await client.close();
  await server.close();
});

describe("guardedPatch", () => {
  it.each([
    { name: "writes once when nobody races it", races: 0, want: ["viewer", "operator"], patches: 1 },
    { name: "reads again after a conflict and keeps the other writer's change", races: 2, want: ["viewer", "racer-1", "racer-0", "operator"], patches: 3 },
  ])("$name", async ({ races, want, patches }) => {
    racesLeft = races;
    const result = await guardedPatch<User>({ client, plural: "users", name: "alice", change: addRole("operator") });
    expect(result.changed).toBe(true);
    expect((server.objects.users.get("alice")?.spec as User["spec"])?.roles).toEqual(want);
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength(patches);
  });

  it("does not write when the object already is as wanted", async () => {
    const result = await guardedPatch<User>({ client, plural: "users", name: "alice", change: addRole("viewer") });
    expect(result.changed).toBe(false);
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength(0);
  });

  it("gives up with the conflict after its attempts", async () => {
    racesLeft = 10;
    const err = await guardedPatch<User>({ client, plural: "users", name: "alice", change: addRole("operator"), attempts: 3 }).catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength(3);
  });
});

describe("mergePatch (the fake server's RFC 7386)", () => {
  it.each([
    { name: "replaces arrays whole", target: { a: [1, 2] }, patch: { a: [3] }, want: { a: [3] } },
    { name: "merges nested objects and deletes nulls", target: { s: { x: 1, y: 2 } }, patch: { s: { y: null, z: 3 } }, want: { s: { x: 1, z: 3 } } },
  ])("$name", ({ target, patch, want }) => expect(mergePatch(target, patch)).toEqual(want));
});
