// Two controller managers against one real API server (envtest), on a fake clock: exactly one holds the
// Lease and runs the controllers; when it stops renewing, the other takes over within 15 s.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RestClient } from "../../api/client/rest-client.js";
import { FakeClock } from "../../api/machinery/clock.js";
import type { Role } from "../../api/types/role.js";
import { startEnvTest, type EnvTest } from "../../test/envtest.js";
import { Controller } from "./controller.js";
import { DEFAULT_LEADER_ELECTION_TIMING } from "./leader-election.js";
import { restLeaseClient } from "./lease-client.js";
import { DEFAULT_LEASE_NAME, Manager, type ControllerFactory } from "./manager.js";
import { objectUntil } from "./testing/cache-wait.js";
import { silentLogger } from "./testing/silent-logger.js";

let env: EnvTest;
let client: RestClient;
const clock = new FakeClock();

beforeAll(async () => {
  env = await startEnvTest({ clock });
  client = new RestClient({ server: env.url, credential: { type: "apiKey", value: env.token } });
});
afterAll(async () => {
  await client?.close();
  await env?.stop();
});

/** A controller that records which manager reconciled which role. */
const recorder = (who: string, seen: string[]): ControllerFactory => (ctx) => {
  const roles = ctx.informer<Role>("roles");
  return new Controller({ name: "recorder", clock: ctx.clock, logger: ctx.logger, reconciler: { reconcile: async ({ name }) => (seen.push(`${who}:${name}`), {}) } }).watch(roles);
};

function manager(identity: string, seen: string[]): Manager {
  return new Manager({ client, clock, logger: silentLogger(), controllers: [recorder(identity, seen)], leaderElection: { identity } });
}

describe("Manager with leader election", () => {
  it("runs the controllers in exactly one of two managers, and fails over within 15 s when the leader stops renewing", async () => {
    const seen: string[] = [];
    const a = manager("manager-a", seen);
    const b = manager("manager-b", seen);
    const idle = () => Promise.all([a.idle(), b.idle()]);
    a.start();
    await idle();
    b.start();
    await idle();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect([a.isRunning(), b.isRunning()]).toEqual([true, false]);

    for (let s = 0; s < 30; s++) {
      clock.step(1000);
      await idle();
      expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    }
    const leases = restLeaseClient(client);
    expect((await leases.get(DEFAULT_LEASE_NAME))?.spec).toMatchObject({ holderIdentity: "manager-a", leaseDurationSeconds: DEFAULT_LEADER_ELECTION_TIMING.leaseDurationMs / 1000, leaseTransitions: 0 });

    await client.create("roles", { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "seen-by-a" }, spec: { permissions: ["nodes:read"] } });
    await objectUntil(a.informer<Role>("roles") ?? expect.fail("manager-a reads no roles"), "seen-by-a", (o) => o !== undefined);
    await idle();
    expect(seen).toContain("manager-a:seen-by-a");
    expect(seen.some((s) => s.startsWith("manager-b:"))).toBe(false);

    // manager-a dies: it stops renewing and does not release the lease.
    await a.stop({ releaseLease: false });
    const diedAt = clock.now();
    while (!b.isRunning() && clock.now() - diedAt < 30_000) {
      clock.step(250);
      await idle();
    }
    expect(clock.now() - diedAt).toBeLessThanOrEqual(15_000);
    expect(b.isLeader()).toBe(true);
    expect((await leases.get(DEFAULT_LEASE_NAME))?.spec).toMatchObject({ holderIdentity: "manager-b", leaseTransitions: 1 });
    expect(seen).toContain("manager-b:seen-by-a");

    await b.stop();
    expect((await leases.get(DEFAULT_LEASE_NAME))?.spec?.holderIdentity).toBeUndefined();
  });
});
