// `claw status` on two `claw server` replicas sharing one real etcd: each answers with both replicas healthy
// (itself first) and the etcd backend; a replica that stops gracefully drops out of the other's answer.

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { clusterStatusPath, isPermitted, type ClusterStatus } from "../../api/types/cluster-status-api.js";
import { requireEtcd } from "../../hack/etcd/etcd-binary.js";
import { startEtcd, type EtcdServer } from "../../hack/etcd/etcd-server.js";
import { adminConfOf, httpsCall, type HttpsClient } from "../../hack/testing/https-call.js";
import { runServer, type RunningServer } from "./run-server.js";

const etcdTool = requireEtcd();
/** Servers on etcd share one master key. */
const env = { CLAW_MASTER_KEY: randomBytes(32).toString("base64") };

describe.skipIf(!etcdTool.available)("claw status on two replicas sharing one etcd", () => {
  let home: string;
  let etcd: EtcdServer;
  let a: RunningServer;
  let b: RunningServer | undefined;
  let admin: HttpsClient;

  const start = (name: string) =>
    runServer({ config: { listen: { host: "127.0.0.1", port: 0 }, dataDir: join(home, name), etcdEndpoints: etcd.endpoints, maxRequestBytes: 1 << 20, sections: {} }, logger: pino({ level: "silent" }), announce: () => {}, controllers: false, env });

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "claw-status-etcd-"));
    etcd = await startEtcd();
    a = await start("a");
    b = await start("b");
    admin = adminConfOf(readFileSync(a.adminConfigPath, "utf8"), parseYaml);
  }, 90_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await etcd?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const statusFrom = async (server: RunningServer) => {
    const res = await httpsCall<ClusterStatus>(server.url, clusterStatusPath, admin);
    expect(res.status).toBe(200);
    if (!isPermitted(res.body.servers) || !isPermitted(res.body.store)) throw new Error("the admin was refused a section");
    return { servers: res.body.servers, store: res.body.store };
  };

  it.each([["A", () => a], ["B", () => b!]] as const)("replica %s lists both replicas healthy, itself first, on the etcd backend", async (name, server) => {
    const { servers, store } = await statusFrom(server());
    expect(servers.items.map((s) => [s.url, s.health, s.self])).toEqual([
      [server().url, "healthy", true],
      [(server() === a ? b! : a).url, "healthy", false],
    ]);
    expect(store).toMatchObject({ backend: "etcd", healthy: true });
    console.log(`etcd ping measured by replica ${name}'s status: ${store.pingMs} ms`);
  });

  it("drops a replica that stopped gracefully from the other's answer", async () => {
    await b!.stop();
    b = undefined;
    const { servers } = await statusFrom(a);
    expect(servers.items.map((s) => s.url)).toEqual([a.url]);
  });
});
