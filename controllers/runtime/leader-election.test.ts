// Leader election on a fake clock: several electors over one lease store (in memory, with the API's
// optimistic concurrency). manager-leader-election.test.ts runs two managers against the real server.

import { describe, expect, it } from "vitest";
import { FakeClock } from "../../api/machinery/clock.js";
import { DEFAULT_LEADER_ELECTION_TIMING, LeaderElector } from "./leader-election.js";
import { silentLogger } from "./testing/silent-logger.js";
import { MemoryLeaseClient } from "./testing/memory-lease-client.js";

const LEASE = "claw-controller-manager";

function cluster(names: string[]) {
  const clock = new FakeClock();
  const leases = new MemoryLeaseClient();
  const transitions: string[] = [];
  const electors = new Map(
    names.map((identity) => [
      identity,
      new LeaderElector({
        leases,
        leaseName: LEASE,
        identity,
        clock,
        logger: silentLogger(),
        onStartedLeading: () => transitions.push(`${identity} leads`),
        onStoppedLeading: () => transitions.push(`${identity} stops`),
      }),
    ]),
  );
  const all = () => [...electors.values()];
  const get = (name: string) => electors.get(name) ?? expect.fail(`no elector ${name}`);
  const idle = () => Promise.all(all().map((e) => e.idle()));
  return {
    clock,
    leases,
    transitions,
    get,
    leaders: () => names.filter((n) => get(n).isLeader()),
    idle,
    /** Steps the clock one second at a time, letting every elector finish its lease requests each second. */
    async run(ms: number, each?: () => void) {
      for (let t = 0; t < ms; t += 1000) {
        clock.step(1000);
        await idle();
        each?.();
      }
    },
    /** Steps until `done`, returning how long it took. */
    async until(done: () => boolean, limitMs = 60_000) {
      const start = clock.now();
      while (!done() && clock.now() - start < limitMs) {
        clock.step(100);
        await idle();
      }
      return clock.now() - start;
    },
    async stopAll() {
      await Promise.all(all().map((e) => e.stop()));
    },
  };
}

describe("LeaderElector", () => {
  it("lets exactly one of several candidates lead, and keeps it leading while it renews", async () => {
    const c = cluster(["a", "b", "c"]);
    for (const name of ["a", "b", "c"]) c.get(name).start();
    await c.idle();
    expect(c.leaders()).toHaveLength(1);
    const leader = c.leaders()[0]!;
    await c.run(60_000, () => expect(c.leaders()).toEqual([leader]));
    expect(c.leases.holder(LEASE)).toBe(leader);
    expect(c.transitions).toEqual([`${leader} leads`]);
    await c.stopAll();
  });

  // The leader renews every 3 s (at 0, 3, 6, 9 s) and its lease lasts 10 s after each renewal.
  it.each([
    ["two seconds after its last renewal", 8000, 8000],
    ["right after a renewal, the worst case", 9000, DEFAULT_LEADER_ELECTION_TIMING.leaseDurationMs],
  ])("hands over within the lease duration when the leader dies without a word, %s", async (_when, diesAtMs, expectedMs) => {
    const c = cluster(["a", "b"]);
    c.get("a").start();
    await c.idle();
    c.get("b").start();
    await c.run(diesAtMs);
    expect(c.leaders()).toEqual(["a"]);
    await c.get("a").stop({ release: false });
    const tookMs = await c.until(() => c.leaders().includes("b"));
    expect(tookMs).toBe(expectedMs);
    expect(tookMs).toBeLessThanOrEqual(DEFAULT_LEADER_ELECTION_TIMING.leaseDurationMs);
    expect(c.leases.holder(LEASE)).toBe("b");
    await c.stopAll();
  });

  it("hands over at the next poll when the leader releases the lease as it stops", async () => {
    const c = cluster(["a", "b"]);
    c.get("a").start();
    await c.idle();
    c.get("b").start();
    await c.run(3000);
    await c.get("a").stop();
    expect(c.transitions).toEqual(["a leads", "a stops"]);
    expect(await c.until(() => c.leaders().includes("b"))).toBeLessThanOrEqual(2000);
    await c.stopAll();
  });

  it("steps down when it cannot renew within the renew deadline, before its lease can expire", async () => {
    const c = cluster(["a"]);
    c.get("a").start();
    await c.idle();
    c.leases.down = true;
    const steppedDownAfter = await c.until(() => !c.get("a").isLeader());
    const { renewDeadlineMs, renewPeriodMs, leaseDurationMs } = DEFAULT_LEADER_ELECTION_TIMING;
    expect(steppedDownAfter).toBeGreaterThanOrEqual(renewDeadlineMs - renewPeriodMs);
    expect(steppedDownAfter).toBeLessThan(leaseDurationMs);
    c.leases.down = false;
    expect(await c.until(() => c.get("a").isLeader())).toBeLessThanOrEqual(2000);
    await c.stopAll();
  });

  it("rides out a short outage as leader", async () => {
    const c = cluster(["a", "b"]);
    c.get("a").start();
    await c.idle();
    c.get("b").start();
    c.leases.down = true;
    await c.run(4000);
    c.leases.down = false;
    await c.run(30_000, () => expect(c.leaders()).toEqual(["a"]));
    expect(c.transitions).toEqual(["a leads"]);
    await c.stopAll();
  });

  it("refuses a renew deadline as long as the lease", () => {
    expect(() => new LeaderElector({ leases: new MemoryLeaseClient(), leaseName: LEASE, identity: "a", clock: new FakeClock(), logger: silentLogger(), timing: { renewDeadlineMs: DEFAULT_LEADER_ELECTION_TIMING.leaseDurationMs }, onStartedLeading: () => {}, onStoppedLeading: () => {} })).toThrow(
      "renewDeadlineMs must be shorter than leaseDurationMs",
    );
  });
});
