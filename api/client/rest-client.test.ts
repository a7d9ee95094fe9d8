import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, isGone, isInvalid, isNotFound, isUnauthorized } from "../machinery/errors.js";
import type { KubeObject } from "../machinery/meta.js";
import { isConnectionError } from "./connection-error.js";
import { RestClient } from "./rest-client.js";
import { fakeKinds, startFakeApiServer, type FakeApiServer } from "./testing/fake-api-server.js";

const role = (name: string, spec: Record<string, unknown> = { description: "d", permissions: ["nodes:read"] }): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name },
  spec,
});

let server: FakeApiServer | undefined;
let client: RestClient | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function setup(opts: { token?: string; validate?: Parameters<typeof startFakeApiServer>[0]["validate"] } = {}) {
  server = await startFakeApiServer({ kinds: fakeKinds, ...opts });
  client = new RestClient({ server: server.url, credential: opts.token ? { type: "apiKey", value: opts.token } : undefined });
  return { server, client };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("RestClient", () => {
  it("creates, reads, lists, updates, patches and deletes an object", async () => {
    const { client } = await setup();
    const created = await client.create("roles", role("a"));
    expect(created.metadata.resourceVersion).toBeDefined();
    expect((await client.get("roles", "a")).spec).toEqual({ description: "d", permissions: ["nodes:read"] });
    expect((await client.list("roles")).items.map((o) => o.metadata.name)).toEqual(["a"]);
    const updated = await client.update("roles", { ...created, spec: { description: "e" } });
    expect(updated.metadata.generation).toBe(2);
    const patched = await client.patch("roles", "a", { spec: { description: "f" } }, { type: "merge" });
    expect(patched.spec).toEqual({ description: "f" });
    await client.delete("roles", "a");
    await expect(client.get("roles", "a")).rejects.toSatisfy(isNotFound);
  });

  it("sends the credential as a bearer token and reports 401 as Unauthorized", async () => {
    const { server } = await setup({ token: "clk_secret" });
    await expect(new RestClient({ server: server.url }).list("roles")).rejects.toSatisfy(isUnauthorized);
    await client!.list("roles");
    expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer clk_secret");
  });

  it("applies with the apply-patch content type, the field manager and force", async () => {
    const { client, server } = await setup();
    await client.apply("roles", role("a"), { fieldManager: "claw", force: true });
    const req = server.requests.at(-1)!;
    expect(req.method).toBe("PATCH");
    expect(req.headers["content-type"]).toBe("application/apply-patch+yaml");
    expect(req.url).toBe("/apis/security.clawbernetes.com/v1/roles/a?fieldManager=claw&force=true");
  });

  it("turns a 422 Status into an Invalid ApiError with its field causes", async () => {
    await setup({ validate: () => [{ field: "spec.permissions[0]", message: "must be resource:action" }] });
    const err = await client!.create("roles", role("a")).catch((e: unknown) => e);
    expect(isInvalid(err)).toBe(true);
    expect((err as ApiError).details?.causes?.[0]?.field).toBe("spec.permissions[0]");
  });

  it("turns a body that is not a Status into an ApiError carrying the text", async () => {
    const s = createServer((_req, res) => res.writeHead(502).end("bad gateway"));
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    client = new RestClient({ server: `http://127.0.0.1:${(s.address() as AddressInfo).port}` });
    const err = await client.get("roles", "a").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 502, message: "bad gateway" });
    await client.close();
    client = undefined;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  });

  it("reports a refused connection as a ConnectionError", async () => {
    client = new RestClient({ server: `http://127.0.0.1:${await freePort()}` });
    const err = await client.list("roles").catch((e: unknown) => e);
    expect(isConnectionError(err) && err.failure).toBe("refused");
  });

  it("serves 64 concurrent requests over the keep-alive pool", async () => {
    const { client, server } = await setup();
    server.put("roles", role("a"));
    const results = await Promise.all(Array.from({ length: 64 }, () => client.get("roles", "a")));
    expect(results.every((r) => r.metadata.name === "a")).toBe(true);
  });

  it("watches from a resourceVersion and stops when the signal aborts", async () => {
    const { client, server } = await setup();
    const first = server.put("roles", role("a"));
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const event of client.watch("roles", { resourceVersion: first.metadata.resourceVersion, signal: abort.signal })) {
        if (event.type === "BOOKMARK") continue;
        seen.push(`${event.type} ${event.object.metadata.name}`);
        if (seen.length === 1) server.remove("roles", "b");
        if (seen.length === 2) abort.abort();
      }
    })();
    server.put("roles", role("b"));
    await done;
    expect(seen).toEqual(["ADDED b", "DELETED b"]);
  });

  it("throws an ERROR watch event as its ApiError", async () => {
    const s = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Gone", code: 410, message: "too old resource version: 1" } }) + "\n");
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    client = new RestClient({ server: `http://127.0.0.1:${(s.address() as AddressInfo).port}` });
    const err = await (async () => {
      for await (const _ of client!.watch("roles", { resourceVersion: "1" })) void _;
    })().catch((e: unknown) => e);
    expect(isGone(err)).toBe(true);
    await client.close();
    client = undefined;
    await new Promise<void>((r) => s.close(() => r()));
  });
});
