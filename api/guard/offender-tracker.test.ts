// Reputation and auto-blocking decisions, on an injected clock: the threshold within the window, scores that
// recover, durations that double for repeat offenders up to the cap, and a block that ends on time.

import { describe, expect, it } from "vitest";
import { FakeClock } from "../machinery/clock.js";
import { startEnvTest } from "../../test/envtest.js";
import { parseGuardConfig } from "./guard-config-parser.js";
import { OffenderTracker } from "./offender-tracker.js";

const HOUR = 3_600_000;
const config = parseGuardConfig({ blocklist: { auto_block_threshold: 3, window_secs: 60, block_duration_secs: 3600, max_block_duration_secs: 4 * 3600 }, reputation: { decay_rate: 1, threshold: -10 } });

describe("the offender tracker", () => {
  it("blocks at the threshold within the window, not for violations spread wider", () => {
    const t = new OffenderTracker(config);
    expect(t.record("a", "rate_limit", 0)).toBeUndefined();
    expect(t.record("a", "rate_limit", 61_000)).toBeUndefined();
    expect(t.record("a", "rate_limit", 122_000)).toBeUndefined();
    expect(t.record("b", "rate_limit", 0)).toBeUndefined();
    expect(t.record("b", "rate_limit", 1_000)).toBeUndefined();
    expect(t.record("b", "rate_limit", 2_000)).toMatchObject({ durationMs: HOUR });
  });

  it("doubles the duration for each earlier block of the same source, up to the cap", () => {
    const t = new OffenderTracker(config);
    const durations: number[] = [];
    let now = 0;
    for (let block = 0; block < 5; block++) {
      let decision;
      for (let i = 0; i < 3 && !decision; i++) decision = t.record("c", "rate_limit", (now += 1_000));
      durations.push(decision!.durationMs);
      now += decision!.durationMs;
    }
    expect(durations).toEqual([HOUR, 2 * HOUR, 4 * HOUR, 4 * HOUR, 4 * HOUR]);
  });

  it("lowers the score by each kind's weight and lets it recover by decay_rate a minute toward 0", () => {
    const t = new OffenderTracker({ ...config, blocklist: { ...config.blocklist, enabled: false } });
    t.record("d", "auth_failure", 0);
    t.record("d", "malformed", 0);
    const [entry] = t.lowest(0, 1);
    expect(entry!.score).toBe(-5);
    expect(t.lowest(3 * 60_000, 1)[0]!.score).toBe(-2);
    expect(t.lowest(60 * 60_000, 1)[0]!.score).toBe(0);
  });

  it("blocks on reputation alone when the score falls to the threshold", () => {
    const t = new OffenderTracker({ ...config, blocklist: { ...config.blocklist, enabled: false } });
    const decisions = [1, 2, 3, 4].map(() => t.record("e", "auth_failure", 1_000));
    expect(decisions.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(decisions[3]?.reason).toMatch(/reputation -12\.0 at or below -10/);
  });
});

describe("an auto block on the fake clock", () => {
  it("is written as a BlockRule, blocks until its expiry and not a moment after", async () => {
    const clock = new FakeClock(Date.parse("2026-11-29T12:00:00Z"));
    const env = await startEnvTest({ clock, guard: { config: parseGuardConfig({ allow: [], blocklist: { auto_block_threshold: 2, block_duration_secs: 3600 } }) } });
    try {
      const guard = env.guard!;
      // Two failed authentications from one source.
      for (let i = 0; i < 2; i++) await fetch(env.url + "/apis/security.clawbernetes.com/v1/roles", { headers: { Authorization: "Bearer clk_wrong" } });
      // Even the admin's own requests from that source are refused now.
      expect((await env.request("/apis/security.clawbernetes.com/v1/roles")).status).toBe(403);
      const stored = await env.store.get("/registry/security.clawbernetes.com/blockrules/auto-127-0-0-1");
      expect(JSON.parse(stored!.value).spec).toMatchObject({ cidr: "127.0.0.1", source: "auto", expiresAt: "2026-11-29T13:00:00Z" });
      expect(guard.blocklist.blocking("127.0.0.1", clock.now())).toBeDefined();
      expect(guard.blocklist.blocking("127.0.0.1", clock.now() + HOUR - 1)).toBeDefined();
      expect(guard.blocklist.blocking("127.0.0.1", clock.now() + HOUR)).toBeUndefined();
    } finally {
      await env.stop();
    }
  });
});
