import { describe, expect, it } from "vitest";
import type { SecretPolicySpec } from "../../../api/types/secret-policy.js";
import { mergePolicy, type PolicyAdditions } from "./secrets-policy-command.js";

const live = (over: Partial<SecretPolicySpec> = {}): SecretPolicySpec => ({ secret: "db", ...over });

describe("mergePolicy", () => {
  it.each<{ name: string; live: SecretPolicySpec | undefined; add: PolicyAdditions; want: Partial<SecretPolicySpec> | undefined }>([
    { name: "adds names after those already there, without repeats", live: live({ allowWorkloads: ["a", "b"] }), add: { allowWorkloads: ["b", "c"] }, want: { allowWorkloads: ["a", "b", "c"] } },
    { name: "merges labels, a new value replacing the old for its key", live: live({ allowLabels: { env: "staging", team: "x" } }), add: { allowLabels: { env: "production" } }, want: { allowLabels: { env: "production", team: "x" } } },
    { name: "adds denials without touching allows", live: live({ allowWorkloads: ["a"] }), add: { denyWorkloads: ["d"] }, want: { denyWorkloads: ["d"] } },
    { name: "changes nothing when everything is there already", live: live({ allowWorkloads: ["a"], allowLabels: { env: "p" }, denyWorkloads: ["d"] }), add: { allowWorkloads: ["a"], allowLabels: { env: "p" }, denyWorkloads: ["d"] }, want: undefined },
    { name: "fills a policy without a spec", live: undefined, add: { allowWorkloads: ["a"] }, want: { allowWorkloads: ["a"] } },
  ])("$name", ({ live: spec, add, want }) => {
    expect(mergePolicy("db", spec, add)).toEqual(want);
  });

  it("refuses a policy of the same name that is another secret's", () => {
    expect(() => mergePolicy("db", live({ secret: "other" }), { allowWorkloads: ["a"] })).toThrow('the SecretPolicy "db" is the policy of secret "other"');
  });
});
