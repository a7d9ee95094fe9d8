import { describe, expect, it } from "vitest";
import type { LeaseSpec } from "../../api/types/lease.js";
import { decideLease, type LeaseDecision } from "./lease-decision.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
const input = (now: number) => ({ identity: "me", now, leaseDurationMs: 15_000 });
const held = (holder: string, renewedAt: number, extra: Partial<LeaseSpec> = {}): LeaseSpec => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: iso(T0 - 60_000),
  renewTime: iso(renewedAt),
  leaseTransitions: 3,
  ...extra,
});
const ours = (acquireTime: string, transitions: number, now: number): LeaseSpec => ({
  holderIdentity: "me",
  leaseDurationSeconds: 15,
  acquireTime,
  renewTime: iso(now),
  leaseTransitions: transitions,
});

describe("decideLease", () => {
  it.each<[string, LeaseSpec | undefined, number, LeaseDecision]>([
    ["creates the lease when there is none", undefined, T0, { action: "create", spec: ours(iso(T0), 0, T0) }],
    ["renews its own lease, keeping when it acquired it", held("me", T0 - 5000), T0, { action: "renew", spec: ours(iso(T0 - 60_000), 3, T0) }],
    ["renews its own lease even past expiry, as nobody took it", held("me", T0 - 20_000), T0, { action: "renew", spec: ours(iso(T0 - 60_000), 3, T0) }],
    ["takes a released lease at once, counting a transition", held("", T0 - 1000), T0, { action: "take", spec: ours(iso(T0), 4, T0) }],
    ["takes a lease nobody ever held", {}, T0, { action: "take", spec: ours(iso(T0), 1, T0) }],
    ["waits while another holder's lease runs", held("other", T0 - 5000), T0, { action: "wait", holder: "other", expiresAt: T0 + 10_000 }],
    ["waits up to the last millisecond of the lease", held("other", T0 - 14_999), T0, { action: "wait", holder: "other", expiresAt: T0 + 1 }],
    ["takes over the moment the lease expires", held("other", T0 - 15_000), T0, { action: "take", spec: ours(iso(T0), 4, T0), from: "other" }],
    ["takes over a lease long expired", held("other", T0 - 600_000), T0, { action: "take", spec: ours(iso(T0), 4, T0), from: "other" }],
    ["judges expiry by the duration the lease states", held("other", T0 - 20_000, { leaseDurationSeconds: 30 }), T0, { action: "wait", holder: "other", expiresAt: T0 + 10_000 }],
    ["takes over a held lease whose renewTime cannot be read", held("other", T0, { renewTime: "yesterday" }), T0, { action: "take", spec: ours(iso(T0), 4, T0), from: "other" }],
  ])("%s", (_name, current, now, expected) => {
    expect(decideLease(current, input(now))).toEqual(expected);
  });

  it("writes times with milliseconds, so expiry is judged to the millisecond", () => {
    const decision = decideLease(undefined, input(T0 + 123));
    expect(decision.action === "create" && decision.spec.renewTime).toBe("2026-03-01T12:00:00.123Z");
  });
});
