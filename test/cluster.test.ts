// A real cluster on one machine (hack/cluster): three etcd members and three `claw server` processes. The
// controllers fail over within 15 s of a SIGKILL of their leader without doing anything twice; a watch resumes on
// another server from its last resourceVersion; losing one etcd member is invisible, losing two turns every
// request into a quick 503 until they return.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../api/client/rest-client.js";
import type { KubeObject } from "../api/machinery/meta.js";
import { resolveClientConfig } from "../cmd/cli/config/client-config.js";
import { authPaths } from "../api/types/auth-api.js";
import { pkiPaths, ROOT_CA_NAME, type CertificateKeyPair } from "../api/types/pki-api.js";
import { requireEtcd } from "../hack/etcd/etcd-binary.js";
import { httpsCall, type HttpsClient } from "../hack/testing/https-call.js";
import { LocalCluster } from "../hack/cluster/cluster.js";
import { doneTwice, killLeaderAndMeasure, type FailoverResult } from "../hack/cluster/failover.js";
import { countBy, loseOneMember, loseQuorum } from "../hack/cluster/etcd-outage.js";
import { followRoles, percentile } from "../hack/cluster/load.js";
import { auditCounts, until } from "../hack/cluster/probes.js";
import { pause } from "../hack/cluster/processes.js";

const etcdTool = requireEtcd();
/** The outage of two members: 30 s in the benchmark (hack/bench/failover.ts), shorter here to keep CI quick. */
const OUTAGE_MS = 8_000;

const role = (name: string): KubeObject => ({ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name }, spec: { description: "cluster test", permissions: ["nodes:read"] } });

describe.skipIf(!etcdTool.available)("a cluster of three etcd members and three claw servers", () => {
  let cluster: LocalCluster;
  const clients: RestClient[] = [];

  beforeAll(async () => {
    cluster = await LocalCluster.start({ dir: mkdtempSync(join(tmpdir(), "claw-cluster-test-")) });
    for (let i = 0; i < 3; i++) clients.push(cluster.client(i));
  }, 90_000);

  afterAll(async () => {
    // The cluster first: closing a client waits for its open watches, which end when the servers do.
    await cluster?.stop();
    await Promise.all(clients.map((c) => c.close()));
  }, 60_000);

  it("serves one CA from every server and reaches each through its context of the kubeconfig", async () => {
    expect(cluster.caPem).toContain("BEGIN CERTIFICATE");
    for (const [i, context] of ["claw-0", "claw-1", "claw-2", "claw"].entries()) {
      const resolved = await resolveClientConfig({ flags: { config: cluster.kubeconfigPath, context }, env: {}, homeDir: "/nonexistent" });
      expect(resolved.server).toBe(cluster.urls()[i % 3]);
      const client = new RestClient({ server: resolved.server, tls: resolved.tls, ...(resolved.credential ? { credential: resolved.credential } : {}) });
      expect((await client.list("roles")).items.map((r) => r.metadata.name)).toContain("admin");
      await client.close();
    }
  });

  it("resumes a watch on another server from its last resourceVersion when its server dies, with no relist, nothing missed and nothing repeated", async () => {
    const start = await clients[0]!.list("roles");
    const abort = new AbortController();
    const seen: string[] = [];
    let lastRv = start.metadata.resourceVersion!;
    const first = (async () => {
      try {
        for await (const event of clients[0]!.watch("roles", { resourceVersion: lastRv, signal: abort.signal })) {
          const obj = event.object as KubeObject;
          if (event.type === "ADDED") seen.push(obj.metadata.name);
          lastRv = obj.metadata.resourceVersion!;
        }
      } catch {
        // the server died under the stream
      }
    })();
    for (let i = 0; i < 3; i++) await clients[1]!.create("roles", role(`resume-before-${i}`));
    await until("the watch through server 0 to see the first roles", 10_000, async () => (seen.length >= 3 ? true : undefined));
    await cluster.stopServer(0, "SIGKILL");
    await first;
    abort.abort();
    for (let i = 0; i < 3; i++) await clients[2]!.create("roles", role(`resume-after-${i}`));
    // Same client code, now through server 1, from the resourceVersion the dead stream last delivered.
    const resumed = followRoles(clients[1]!, lastRv);
    await until("the resumed watch to see the later roles", 10_000, async () => (resumed.added.length >= 3 ? true : undefined));
    await pause(500);
    await resumed.stop();
    expect(seen.filter((n) => n.startsWith("resume-"))).toEqual(["resume-before-0", "resume-before-1", "resume-before-2"]);
    expect(resumed.added).toEqual(["resume-after-0", "resume-after-1", "resume-after-2"]);
    expect(resumed.gone).toBe(0);
    await cluster.startServer(0);
  }, 60_000);

  it("hands the controllers to another server within 15 s of a SIGKILL of their leader, twice, without issuing a certificate or rotating a secret twice", async () => {
    const results: FailoverResult[] = [];
    for (let round = 0; round < 2; round++) results.push(await killLeaderAndMeasure(cluster, { round }));
    console.log(`controller failover: time to act ${results.map((r) => `${r.timeToActMs} ms (server ${r.killed} → ${r.successor})`).join(", ")}`);
    for (const r of results) {
      expect(r.successor).not.toBe(r.killed);
      expect(r.timeToActMs).toBeLessThanOrEqual(15_000);
    }
    const issued = await auditCounts(clients[1]!, "certificates.issued");
    const rotated = await auditCounts(clients[1]!, "secrets.rotated");
    const certificates = results.flatMap((r) => r.certificates);
    expect(certificates.filter((n) => issued.get(n) === undefined)).toEqual([]);
    expect(doneTwice(issued, certificates)).toEqual([]);
    expect(doneTwice(rotated, results.flatMap((r) => r.secrets))).toEqual([]);
    for (const name of certificates) {
      const cert = await clients[1]!.get<KubeObject & { status?: { revision?: number } }>("certificates", name);
      expect(cert.status?.revision).toBe(1);
    }
  }, 150_000);

  it("hides the loss of one etcd member of three (its raft leader) from clients writing and reading through every server", async () => {
    const loss = await loseOneMember(cluster, clients, { prefix: "one-down", downMs: 4_000 });
    console.log(`one etcd member lost: ${loss.requests} requests, ${loss.retried} retried, ${loss.failed.length} failed after a retry`);
    expect(loss.failed).toEqual([]);
    expect(loss.created).toBeGreaterThan(10);
  }, 60_000);

  it("answers every request 503 within 5 s while two etcd members of three are down, is not ready, ends the requests that meet etcd's return within a few call deadlines, and recovers", async () => {
    const outage = await loseQuorum(cluster, clients, { prefix: "outage", outageMs: OUTAGE_MS });
    try {
      const times = outage.during.map((r) => r.ms);
      console.log(
        `two etcd members lost for ${OUTAGE_MS} ms: ${outage.during.length} requests, statuses ${JSON.stringify(countBy(outage.answeredDuring.map((r) => r.status)))}, ` +
          `p50 ${percentile(times, 50)} ms, p99 ${percentile(times, 99)} ms, max ${Math.max(0, ...times)} ms; ready again ${outage.readyAfterMs} ms after etcd returned`,
      );
      expect(outage.readyz).toEqual([503, 503, 503]);
      expect(outage.during.length).toBeGreaterThan(10);
      // While etcd is down: 503, within the 4 s etcd call deadline.
      expect(outage.answeredDuring.filter((r) => r.status !== 503)).toEqual([]);
      expect(Math.max(...outage.answeredDuring.map((r) => r.ms))).toBeLessThan(5_000);
      // A request sent in the outage's last seconds may meet etcd's return and its election: each of its store calls
      // still has its own 4 s deadline, so it ends (200 or 503) within a few deadlines, never hangs.
      const straddling = outage.during.filter((r) => r.at + r.ms >= outage.returnedAt);
      for (const r of straddling) {
        console.log(`sent ${outage.returnedAt - r.at} ms before etcd returned, answered ${r.status} after ${r.ms} ms`);
      }
      expect(straddling.filter((r) => r.ms >= 15_000)).toEqual([]);

      // Objects reconcile again, and every watcher saw every acknowledged create exactly once, without a relist.
      await clients[2]!.create("roles", role("after-outage"));
      await until("the role made after the outage to be reconciled", 30_000, async () => {
        const obj = await clients[0]!.get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>("roles", "after-outage");
        return obj.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? true : undefined;
      }, 200);
      const created = outage.created.filter((n) => n.startsWith("outage-"));
      await until("every watcher to see every acknowledged create", 20_000, async () => (outage.watches.every((w) => created.every((n) => w.added.includes(n))) ? true : undefined), 200);
      for (const w of outage.watches) {
        const mine = w.added.filter((n) => n.startsWith("outage-"));
        expect(new Set(mine).size).toBe(mine.length);
        expect(w.gone).toBe(0);
      }
    } finally {
      await Promise.all(outage.watches.map((w) => w.stop()));
    }
  }, 150_000);

  it("enforces on every server a revocation made after the etcd outage (each server follows its TLS material again)", async () => {
    const admin: HttpsClient = { ca: cluster.caPem, token: cluster.token() };
    const name = "node-after-outage";
    const spec = { issuerRef: { name: ROOT_CA_NAME }, commonName: "gpu-9", subject: { organizations: ["system:nodes"] }, usages: ["digital signature", "client auth"] };
    expect((await httpsCall(cluster.urls()[0]!, "/apis/security.clawbernetes.com/v1/certificates", admin, { method: "POST", json: { apiVersion: "security.clawbernetes.com/v1", kind: "Certificate", metadata: { name }, spec } })).status).toBe(201);
    const pair = await until("the node certificate to be issued", 20_000, async () => {
      const answer = await httpsCall<CertificateKeyPair>(cluster.urls()[0]!, pkiPaths.privateKey(name), admin, { method: "POST", json: {} });
      return answer.status === 200 || answer.status === 201 ? answer.body : undefined;
    }, 200);
    const node: HttpsClient = { ca: cluster.caPem, cert: pair.certificate + pair.chain, key: pair.privateKey };
    for (const url of cluster.urls()) expect((await httpsCall(url, authPaths.whoami, node)).body.username).toBe("system:node:gpu-9");
    expect((await httpsCall(cluster.urls()[1]!, pkiPaths.revoke(name), admin, { method: "POST", json: { reason: "keyCompromise" } })).status).toBe(200);
    for (const url of cluster.urls()) {
      await until(`${url} to refuse the revoked certificate`, 5_000, () => httpsCall(url, authPaths.whoami, node).then(() => undefined, () => true), 100);
    }
  }, 60_000);
});
