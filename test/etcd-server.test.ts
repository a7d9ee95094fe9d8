// Two `claw server` processes on one real etcd: one store, one revision history, one admin credential.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { get } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../api/client/rest-client.js";
import type { KubeObject } from "../api/machinery/meta.js";
import { requireEtcd } from "../hack/etcd/etcd-binary.js";
import { startEtcd, type EtcdServer } from "../hack/etcd/etcd-server.js";
import { adminClient } from "../hack/testing/admin-client.js";
import { startClawServer, type ClawServerProcess } from "../hack/testing/claw-process.js";
import { resolveClientConfig } from "../cmd/cli/config/client-config.js";

const etcdTool = requireEtcd();
const role = (name: string): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name },
  spec: { description: "on etcd", permissions: ["nodes:read"] },
});

describe.skipIf(!etcdTool.available)("claw server on etcd", () => {
  let home: string;
  let etcd: EtcdServer;
  let a: ClawServerProcess;
  let b: ClawServerProcess;
  let clientA: RestClient;
  let clientB: RestClient;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "claw-etcd-servers-"));
    etcd = await startEtcd();
    const args = ["--etcd-endpoints", etcd.endpoints.join(",")];
    a = await startClawServer({ dataDir: join(home, "a"), extraArgs: args });
    b = await startClawServer({ dataDir: join(home, "b"), extraArgs: args });
    clientA = await adminClient(a.adminConfig);
    // The second server found the credential the first created; reach it with that token and its own CA.
    const fromA = await resolveClientConfig({ flags: { config: a.adminConfig }, env: {}, homeDir: home });
    clientB = new RestClient({ server: b.url, credential: fromA.credential!, tls: { ca: readFileSync(join(home, "b", "pki", "ca.crt"), "utf8") } });
  }, 90_000);

  afterAll(async () => {
    await clientA?.close();
    await clientB?.close();
    await a?.stop();
    await b?.stop();
    await etcd?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("says the credential came from the other server instead of minting a second one", () => {
    expect(b.output()).toContain("created by another server sharing this store");
  });

  it("shows an object created through one server on the other, at that revision or later", async () => {
    const created = await clientA.create("roles", role("shared-a"));
    const seen = await clientB.get("roles", "shared-a");
    // The controllers may already have written status, moving the revision on; never backwards.
    expect(Number(seen.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata.resourceVersion));
    expect(seen.metadata.uid).toBe(created.metadata.uid);
  });

  it("streams to a watcher on one server the writes made through the other", async () => {
    const start = await clientB.list("roles");
    const abort = new AbortController();
    const events = clientB.watch("roles", { resourceVersion: start.metadata.resourceVersion, signal: abort.signal });
    await clientA.create("roles", role("shared-b"));
    for await (const event of events) {
      if (event.type === "ADDED") {
        expect((event.object as KubeObject).metadata.name).toBe("shared-b");
        abort.abort();
      }
    }
  });

  it("refuses a stale replace made through the other server with 409", async () => {
    const live = await clientA.get("roles", "shared-a");
    await clientB.patch("roles", "shared-a", { spec: { description: "moved on" } }, { type: "merge" });
    await expect(clientA.update("roles", { ...live, spec: { description: "stale" } })).rejects.toMatchObject({ code: 409, reason: "Conflict" });
  });

  it("keeps serving from one server when the other dies", async () => {
    await a.kill();
    expect((await clientB.list("roles")).items.map((r) => r.metadata.name)).toEqual(expect.arrayContaining(["shared-a", "shared-b"]));
  });

  it("is live but not ready while etcd is unreachable", async () => {
    const ca = readFileSync(join(home, "b", "pki", "ca.crt"), "utf8");
    const probe = (path: string) => httpsStatus(`${b.url}${path}`, ca);
    expect(await probe("/readyz")).toBe(200);
    await etcd.stop();
    expect(await probe("/readyz")).toBe(503);
    expect(await probe("/livez")).toBe(200);
  }, 30_000);
});

function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });
}
