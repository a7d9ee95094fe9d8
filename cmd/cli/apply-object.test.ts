import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../../api/client/rest-client.js";
import { fakeKinds, startFakeApiServer, type FakeApiServer } from "../../api/client/testing/fake-api-server.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { applyObject, classifyApply } from "./apply-object.js";

const obj = (rv?: string): KubeObject => ({ apiVersion: "a/v1", kind: "Role", metadata: { name: "x", ...(rv ? { resourceVersion: rv } : {}) } });

describe("classifyApply", () => {
  it.each([
    { name: "is created when nothing was there", before: undefined, after: obj("5"), want: "created" },
    { name: "is unchanged when the resourceVersion did not move", before: obj("5"), after: obj("5"), want: "unchanged" },
    { name: "is configured when the resourceVersion moved", before: obj("5"), after: obj("6"), want: "configured" },
  ])("$name", ({ before, after, want }) => {
    expect(classifyApply(before, after)).toBe(want);
  });
});

describe("applyObject", () => {
  let server: FakeApiServer;
  let client: RestClient;
  beforeAll(async () => {
    server = await startFakeApiServer({ kinds: fakeKinds });
    client = new RestClient({ server: server.url });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it("reports created, then unchanged, then configured", async () => {
    const role = (description: string): KubeObject => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "r" }, spec: { description } });
    const opts = { plural: "roles", fieldManager: "claw", force: false };
    expect((await applyObject(client, { ...opts, object: role("a") })).result).toBe("created");
    expect((await applyObject(client, { ...opts, object: role("a") })).result).toBe("unchanged");
    expect((await applyObject(client, { ...opts, object: role("b") })).result).toBe("configured");
    expect(server.requests.at(-1)?.url).toBe("/apis/security.clawbernetes.com/v1/roles/r?fieldManager=claw");
  });
});
