import { describe, expect, it } from "vitest";
import { rekeySummary, type RekeyTally } from "./secrets-rekey-command.js";

const tally = (over: Partial<RekeyTally> = {}): RekeyTally => ({ resealedSecrets: 0, resealedVersions: 0, alreadyCurrent: 0, withoutValue: 0, gone: 0, failed: 0, keyIds: new Set(), ...over });

describe("rekeySummary", () => {
  it.each([
    { name: "says what was re-sealed and under which key", t: tally({ resealedSecrets: 10_000, resealedVersions: 12_500, keyIds: new Set(["k2"]) }), notReached: 0, want: "rekey: 10,000 secrets re-sealed (12,500 versions) under key k2; 0 secrets already were\n" },
    { name: "speaks of one secret in the singular", t: tally({ resealedSecrets: 1, resealedVersions: 1, alreadyCurrent: 1, keyIds: new Set(["k2"]) }), notReached: 0, want: "rekey: 1 secret re-sealed (1 version) under key k2; 1 secret already was\n" },
    { name: "lists what was left on a second line", t: tally({ alreadyCurrent: 3, withoutValue: 1, gone: 2, failed: 1 }), notReached: 4, want: "rekey: 0 secrets re-sealed (0 versions); 3 secrets already were\n1 secret without a value skipped; 2 secrets deleted meanwhile; 1 secret failed; 4 secrets not reached\n" },
  ])("$name", ({ t, notReached, want }) => expect(rekeySummary(t, notReached)).toBe(want));
});
