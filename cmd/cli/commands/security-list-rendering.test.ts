import { describe, expect, it } from "vitest";
import type { BlockRule } from "../../../api/types/block-rule.js";
import type { ReputationList } from "../../../api/types/guard-api.js";
import { reputationList } from "../security-api.js";
import { blockedBy, expiresIn, renderBlocklist } from "./security-blocklist-command.js";
import { formatScore, parseLimit, renderReputation, violationsText } from "./security-reputation-command.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Modifier = (r: BlockRule) => void;
function rule(name: string, spec: NonNullable<BlockRule["spec"]>, ...mods: Modifier[]): BlockRule {
  const r: BlockRule = { apiVersion: "security.clawbernetes.com/v1", kind: "BlockRule", metadata: { name, creationTimestamp: "2026-03-01T11:00:00Z" }, spec };
  for (const mod of mods) mod(r);
  return r;
}
const by = (user: string): Modifier => (r) => void (r.metadata.annotations = { "security.clawbernetes.com/blocked-by": user });

describe("expiresIn", () => {
  it.each<[string, Parameters<typeof expiresIn>[0], string]>([
    ["says never for a permanent block", { kind: "never" }, "never"],
    ["shows hours and minutes under a day", { kind: "at", ms: NOW + DAY - MIN }, "23h59m"],
    ["drops zero minutes", { kind: "at", ms: NOW + 2 * HOUR }, "2h"],
    ["shows days and hours from a day on", { kind: "at", ms: NOW + 6 * DAY + 23 * HOUR + 59 * MIN }, "6d23h"],
    ["shows minutes and seconds under an hour", { kind: "at", ms: NOW + 45 * MIN + 30_000 }, "45m30s"],
    ["shows seconds under a minute, rounded up", { kind: "at", ms: NOW + 1500 }, "2s"],
    ["says expired at the very instant", { kind: "at", ms: NOW }, "expired"],
    ["says expired after", { kind: "at", ms: NOW - HOUR }, "expired"],
    ["marks an unreadable expiry", { kind: "invalid", message: "x" }, "<invalid>"],
  ])("%s", (_name, expiry, text) => expect(expiresIn(expiry, NOW)).toBe(text));
});

describe("blockedBy", () => {
  it.each<[string, BlockRule, string]>([
    ["says auto for the auto-blocker, whatever the annotation", rule("a", { cidr: "10.0.0.1", source: "auto" }, by("mallory")), "auto"],
    ["names the person in the blocked-by annotation", rule("b", { cidr: "10.0.0.1", source: "manual" }, by("alice")), "alice"],
    [
      "falls back on the first writer's field manager, not the status writer",
      rule("c", { cidr: "10.0.0.1" }, (r) => {
        r.metadata.managedFields = [
          { manager: "claw-blockrules-controller", operation: "Update", apiVersion: "security.clawbernetes.com/v1", time: "2026-03-01T10:00:00Z", fieldsType: "FieldsV1", fieldsV1: {}, subresource: "status" },
          { manager: "kubectl-client-side-apply", operation: "Update", apiVersion: "security.clawbernetes.com/v1", time: "2026-03-01T11:00:00Z", fieldsType: "FieldsV1", fieldsV1: {} },
          { manager: "claw", operation: "Update", apiVersion: "security.clawbernetes.com/v1", time: "2026-03-01T11:30:00Z", fieldsType: "FieldsV1", fieldsV1: {} },
        ];
      }),
      "kubectl-client-side-apply",
    ],
    ["says unknown when nothing tells", rule("d", { cidr: "10.0.0.1" }), "<unknown>"],
  ])("%s", (_name, r, expected) => expect(blockedBy(r)).toBe(expected));
});

describe("renderBlocklist", () => {
  it("lists IPv4 before IPv6 in address order, with reason, who, time left and whether it blocks now", () => {
    const rules = [
      rule("block-2001-db8", { cidr: "2001:db8::/32", reason: "abuse", source: "manual" }, by("bob")),
      rule("auto-203-0-113-42", { cidr: "203.0.113.42", reason: "auto-block: 5 violations in 60s", expiresAt: "2026-03-01T12:30:00Z", source: "auto" }),
      rule("block-198-51-100-0-24", { cidr: "198.51.100.0/24", reason: "Suspicious activity", duration: "24h", source: "manual" }, by("alice")),
      rule("block-192-0-2-1", { cidr: "192.0.2.1", reason: "old", expiresAt: "2026-03-01T11:59:00Z", source: "manual" }, by("alice"), (r) => void (r.status = { active: true })),
      rule("block-10-0-0-1", { cidr: "10.0.0.1", source: "manual" }, by("carol")),
    ];
    expect(renderBlocklist(rules, NOW).split("\n")).toEqual([
      "SOURCE            REASON                            BY      EXPIRES IN   ACTIVE",
      "10.0.0.1          <none>                            carol   never        yes",
      "192.0.2.1         old                               alice   expired      no",
      "198.51.100.0/24   Suspicious activity               alice   23h          yes",
      "203.0.113.42      auto-block: 5 violations in 60s   auto    30m          yes",
      "2001:db8::/32     abuse                             bob     never        yes",
      "",
    ]);
  });

  it("reads the end from the spec, as gateways do, not from a status that lags a renewal", () => {
    const renewed = rule("x", { cidr: "10.0.0.2", expiresAt: "2026-03-01T14:00:00Z" }, by("a"), (r) => void (r.status = { active: false, expiresAt: "2026-03-01T11:30:00Z" }));
    expect(renderBlocklist([renewed], NOW).split("\n")[1]).toMatch(/^10\.0\.0\.2\s.*\s2h\s+yes$/);
  });

  it("calls a rule whose address gateways cannot read inactive", () => {
    expect(renderBlocklist([rule("y", { cidr: "010.0.0.3" }, by("a"))], NOW).split("\n")[1]).toMatch(/^010\.0\.0\.3\s.*\snever\s+no$/);
  });
});

const reputation = (items: ReputationList["items"]): ReputationList => ({ apiVersion: "security.clawbernetes.com/v1", kind: "ReputationList", server: "gw-1", threshold: -10, items });

describe("renderReputation", () => {
  it("shows each source worst first as the server sent it, score to one decimal, violations by count, last violation as an age", () => {
    const list = reputation([
      { source: "203.0.113.42", score: -12.46, violations: { rate_limit: 2, auth_failure: 9 }, lastViolation: "2026-03-01T11:55:00Z", blocked: true },
      { source: "2001:db8::7", score: -3, violations: { malformed: 1 }, lastViolation: "2026-03-01T10:00:00Z", blocked: false },
      { source: "198.51.100.9", score: -0.04, violations: {}, lastViolation: "2026-02-28T12:00:00Z", blocked: false },
    ]);
    expect(renderReputation(list, NOW).split("\n")).toEqual([
      "SOURCE         SCORE   VIOLATIONS                     LAST VIOLATION   BLOCKED",
      "203.0.113.42   -12.5   auth_failure=9, rate_limit=2   5m               yes",
      "2001:db8::7    -3.0    malformed=1                    120m             no",
      "198.51.100.9   0.0     <none>                         24h              no",
      "",
    ]);
  });

  it.each<[number, string]>([[-12.46, "-12.5"], [-0.04, "0.0"], [0, "0.0"], [3, "3.0"], [-10, "-10.0"]])("formats a score of %d as %s", (score, text) => expect(formatScore(score)).toBe(text));

  it("orders violations by count, then by kind, and leaves out zeros", () => {
    expect(violationsText({ slow_loris: 1, auth_failure: 3, rate_limit: 3, malformed: 0 })).toBe("auth_failure=3, rate_limit=3, slow_loris=1");
  });
});

describe("parseLimit", () => {
  it.each(["1", "20", "1000"])("takes %s", (text) => expect(parseLimit(text)).toBe(Number(text)));
  it.each(["0", "1001", "-1", "2.5", "ten", ""])("refuses %j", (text) => expect(() => parseLimit(text)).toThrow("--limit must be a whole number from 1 to 1000"));
});

describe("reputationList", () => {
  const path = "/apis/security.clawbernetes.com/v1/reputation";
  it("accepts the server's answer", () => {
    const body = reputation([{ source: "10.0.0.1", score: -1, violations: { malformed: 1 }, lastViolation: "2026-03-01T11:00:00Z", blocked: false }]);
    expect(reputationList(JSON.parse(JSON.stringify(body)), path)).toEqual(body);
  });
  it.each<[string, unknown, string]>([
    ["refuses an answer without items", { threshold: -10 }, "items"],
    ["refuses a score that is not a number", { threshold: -10, items: [{ source: "10.0.0.1", score: "low", violations: {}, blocked: false }] }, "items[].score"],
    ["refuses a violation count that is not a count", { threshold: -10, items: [{ source: "10.0.0.1", score: 0, violations: { x: -1 }, blocked: false }] }, "items[].violations.x"],
    ["refuses an item without its source", { threshold: -10, items: [{ score: 0, violations: {}, blocked: true }] }, "source"],
  ])("%s", (_name, body, field) => expect(() => reputationList(body, path)).toThrow(`the server's answer to ${path} has no valid ${field}`));
});
