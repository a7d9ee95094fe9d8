import { describe, expect, it } from "vitest";
import type { Condition } from "../../api/machinery/meta.js";
import type { ApiKey } from "../../api/types/api-key.js";
import { decideApiKey, expiryOf, type ApiKeyPlan } from "./api-key-decision.js";

const CREATED = "2026-03-01T00:00:00Z";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const NOW_TEXT = "2026-03-01T12:00:00Z";
const HOUR = 3_600_000;
const KEY_ID = "ak_7x8Kj2mNp3Qr5tWv9yBc";

type Modifier = (k: ApiKey) => void;
function apiKey(...mods: Modifier[]): ApiKey {
  const k: ApiKey = {
    apiVersion: "security.clawbernetes.com/v1",
    kind: "ApiKey",
    metadata: { name: "ci", generation: 1, creationTimestamp: CREATED },
    spec: { displayName: "CI/CD Pipeline", owner: "alice", scopes: ["workloads:*"] },
  };
  for (const mod of mods) mod(k);
  return k;
}
const spec = (s: Partial<NonNullable<ApiKey["spec"]>>): Modifier => (k) => void (k.spec = { ...k.spec!, ...s });
const status = (s: NonNullable<ApiKey["status"]>): Modifier => (k) => void (k.status = { ...k.status, ...s });
const minted = status({ keyId: KEY_ID, rotation: 0, secretFetched: true, lastRotatedAt: CREATED });
const at = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

const statusOf = (plan: ApiKeyPlan) => (plan.action === "writeStatus" ? plan.status : expect.fail("expected a status to write"));
const conditionOf = (plan: ApiKeyPlan, type: string) => statusOf(plan).conditions?.find((c) => c.type === type);

describe("expiryOf", () => {
  it.each([
    ["never expires without duration or expiresAt", {}, { kind: "never" }],
    ["expires at spec.expiresAt", { expiresAt: "2026-05-06T08:00:00Z" }, { kind: "at", ms: Date.parse("2026-05-06T08:00:00Z") }],
    ["expires spec.duration after creation", { duration: "90d" }, { kind: "at", ms: Date.parse(CREATED) + 90 * 24 * HOUR }],
    ["adds up a compound duration", { duration: "1h30m" }, { kind: "at", ms: Date.parse(CREATED) + 1.5 * HOUR }],
    ["reports an unreadable expiresAt", { expiresAt: "tomorrow" }, { kind: "invalid", message: 'spec.expiresAt "tomorrow" is not an RFC 3339 time' }],
  ])("%s", (_name, s, expected) => {
    expect(expiryOf({ displayName: "x", owner: "alice", scopes: ["nodes:read"], ...s }, CREATED)).toEqual(expected);
  });
});

describe("decideApiKey", () => {
  it.each<[string, ApiKey | undefined]>([
    ["does nothing for a key that is gone", undefined],
    ["does nothing for a key being deleted", apiKey((k) => void (k.metadata.deletionTimestamp = CREATED))],
  ])("%s", (_name, input) => {
    expect(decideApiKey({ key: input }, NOW)).toEqual({ action: "none" });
  });

  it.each<[string, ApiKey, { phase: string; ready: [string, string]; expired: [string, string]; expiresAt?: string; requeueAfterMs?: number }]>([
    ["is Pending until the identity endpoints mint its key id", apiKey(), { phase: "Pending", ready: ["False", "SecretNotMinted"], expired: ["False", "NeverExpires"] }],
    ["is Active once minted, with no expiry and no wake-up", apiKey(minted), { phase: "Active", ready: ["True", "Active"], expired: ["False", "NeverExpires"] }],
    ["is Active before its expiresAt and wakes exactly at it", apiKey(minted, spec({ expiresAt: at(NOW + HOUR) })), { phase: "Active", ready: ["True", "Active"], expired: ["False", "NotExpired"], expiresAt: at(NOW + HOUR), requeueAfterMs: HOUR }],
    ["counts spec.duration from creation and wakes at its end", apiKey(minted, spec({ duration: "13h" })), { phase: "Active", ready: ["True", "Active"], expired: ["False", "NotExpired"], expiresAt: "2026-03-01T13:00:00Z", requeueAfterMs: HOUR }],
    ["is Expired at the very instant of expiry", apiKey(minted, spec({ expiresAt: NOW_TEXT })), { phase: "Expired", ready: ["False", "Expired"], expired: ["True", "Expired"], expiresAt: NOW_TEXT }],
    ["is Expired after its duration ran out", apiKey(minted, spec({ duration: "12h" })), { phase: "Expired", ready: ["False", "Expired"], expired: ["True", "Expired"], expiresAt: NOW_TEXT }],
    ["is Expired even before its secret was minted", apiKey(spec({ duration: "1h" })), { phase: "Expired", ready: ["False", "Expired"], expired: ["True", "Expired"], expiresAt: "2026-03-01T01:00:00Z" }],
    ["is Revoked when spec.revoked, without waking at expiry", apiKey(minted, spec({ revoked: true, expiresAt: at(NOW + HOUR) })), { phase: "Revoked", ready: ["False", "Revoked"], expired: ["False", "NotExpired"], expiresAt: at(NOW + HOUR) }],
    ["stays Revoked after it would have expired", apiKey(minted, spec({ revoked: true, duration: "1h" })), { phase: "Revoked", ready: ["False", "Revoked"], expired: ["True", "Expired"], expiresAt: "2026-03-01T01:00:00Z" }],
  ])("%s", (_name, input, want) => {
    const plan = decideApiKey({ key: input }, NOW);
    const s = statusOf(plan);
    expect(s.phase).toBe(want.phase);
    expect(s.expiresAt).toBe(want.expiresAt);
    expect(conditionOf(plan, "Ready")).toMatchObject({ status: want.ready[0], reason: want.ready[1], observedGeneration: 1 });
    expect(conditionOf(plan, "Expired")).toMatchObject({ status: want.expired[0], reason: want.expired[1], observedGeneration: 1 });
    expect(plan.action === "writeStatus" ? plan.requeueAfterMs : undefined).toBe(want.requeueAfterMs);
  });

  it.each<[string, ApiKey, string | undefined]>([
    ["records when it saw the key revoked", apiKey(minted, spec({ revoked: true })), NOW_TEXT],
    ["keeps a revocation time already recorded", apiKey(minted, spec({ revoked: true }), status({ revokedAt: CREATED })), CREATED],
    ["records no revocation for a live key", apiKey(minted), undefined],
  ])("%s", (_name, input, revokedAt) => {
    expect(statusOf(decideApiKey({ key: input }, NOW)).revokedAt).toBe(revokedAt);
  });

  it("writes only the fields it owns, leaving the key id, rotation and secretFetched to the identity endpoints", () => {
    const s = statusOf(decideApiKey({ key: apiKey(minted) }, NOW));
    expect(Object.keys(s).sort()).toEqual(["conditions", "observedGeneration", "phase"]);
  });

  it("keeps the phase as it is and says why when the expiry cannot be read", () => {
    const plan = decideApiKey({ key: apiKey(minted, spec({ expiresAt: "soon" }), status({ phase: "Active" })) }, NOW);
    expect(statusOf(plan).phase).toBe("Active");
    expect(conditionOf(plan, "Ready")).toMatchObject({ status: "False", reason: "InvalidExpiry" });
    expect(conditionOf(plan, "Expired")).toMatchObject({ status: "Unknown", reason: "InvalidExpiry", message: 'spec.expiresAt "soon" is not an RFC 3339 time' });
  });

  it("moves the Expired condition's lastTransitionTime only when it flips", () => {
    const before: Condition = { type: "Expired", status: "False", reason: "NotExpired", message: "", lastTransitionTime: CREATED };
    const still = decideApiKey({ key: apiKey(minted, spec({ expiresAt: at(NOW + HOUR) }), status({ conditions: [before] })) }, NOW);
    const flipped = decideApiKey({ key: apiKey(minted, spec({ expiresAt: NOW_TEXT }), status({ conditions: [before] })) }, NOW);
    expect(conditionOf(still, "Expired")?.lastTransitionTime).toBe(CREATED);
    expect(conditionOf(flipped, "Expired")?.lastTransitionTime).toBe(NOW_TEXT);
  });
});
