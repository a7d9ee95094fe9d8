// Two `claw server` processes on one real etcd: exactly one runs the controllers (it holds the Lease),
// and when it dies with SIGKILL the other takes the Lease over within the lease's 15 s.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RestClient } from "../api/client/rest-client.js";
import { requireEtcd } from "../hack/etcd/etcd-binary.js";
import { startEtcd } from "../hack/etcd/etcd-server.js";
import { startClawServer, type ClawServerProcess } from "../hack/testing/claw-process.js";
import { resolveClientConfig } from "../cmd/cli/config/client-config.js";

const etcdTool = requireEtcd();
const home = mkdtempSync(join(tmpdir(), "claw-leader-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Lease { spec?: { holderIdentity?: string; leaseTransitions?: number } }
const identityOf = (server: ClawServerProcess) => /"identity":"([^"]+)"/.exec(server.output())?.[1];

/** Polls (a real process is on the other side; there is no clock to step) until `done` or the deadline. */
async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.skipIf(!etcdTool.available)("leader election across servers on one etcd", () => {
  it("lets exactly one server lead and hands the lease to the other within 15 s of the leader's death", async () => {
    const etcd = await startEtcd();
    const args = ["--etcd-endpoints", etcd.endpoints.join(","), "--log-level", "info"];
    const a = await startClawServer({ dataDir: join(home, "a"), extraArgs: args });
    const b = await startClawServer({ dataDir: join(home, "b"), extraArgs: args });
    try {
      const fromA = await resolveClientConfig({ flags: { config: a.adminConfig }, env: {}, homeDir: home });
      const viaB = new RestClient({ server: b.url, credential: fromA.credential!, tls: { ca: readFileSync(join(home, "b", "pki", "ca.crt"), "utf8") }, group: "coordination.clawbernetes.com" });
      const lease = () => viaB.get<Lease & { apiVersion: string; kind: string; metadata: { name: string } }>("leases", "claw-controller-manager");
      const ids = await until("both managers to start", 20_000, async () => (identityOf(a) && identityOf(b) ? [identityOf(a)!, identityOf(b)!] : undefined));
      const holder = await until("a lease holder", 20_000, async () => (await lease()).spec?.holderIdentity || undefined);
      expect(ids).toContain(holder);
      const [leader, follower] = holder === ids[0] ? [a, b] : [b, a];
      const followerId = identityOf(follower)!;

      const killedAt = Date.now();
      await leader.kill();
      const survivorLease = new RestClient({
        server: follower.url,
        credential: fromA.credential!,
        tls: { ca: readFileSync(join(home, follower === a ? "a" : "b", "pki", "ca.crt"), "utf8") },
        group: "coordination.clawbernetes.com",
      });
      await until("the follower to take the lease", 20_000, async () => {
        const l = await survivorLease.get<Lease & { apiVersion: string; kind: string; metadata: { name: string } }>("leases", "claw-controller-manager");
        return l.spec?.holderIdentity === followerId ? l : undefined;
      });
      const takeoverMs = Date.now() - killedAt;
      console.log(`leader election: takeover ${takeoverMs} ms after SIGKILL of the leader`);
      expect(takeoverMs).toBeLessThanOrEqual(15_000 + 1_000);
      await viaB.close();
      await survivorLease.close();
    } finally {
      await a.stop();
      await b.stop();
      await etcd.stop();
    }
  }, 90_000);
});
