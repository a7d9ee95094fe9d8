// The pure sections of `claw status`, as tables of cases: no server, no store, a fixed time.

import { describe, expect, it } from "vitest";
import type { Condition, KubeObject } from "../../api/machinery/meta.js";
import type { ApiKey } from "../../api/types/api-key.js";
import type { BlockRule } from "../../api/types/block-rule.js";
import type { Certificate } from "../../api/types/certificate.js";
import type { Lease } from "../../api/types/lease.js";
import type { Node } from "../../api/types/node.js";
import { auditSection, blockRulesSection, controllerSection, expiringApiKeys, expiringCertificates, nodesSection, readinessOf, serversSection } from "./cluster-status.js";
import type { ServerRecord } from "./server-registration.js";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const DAY = 86_400_000;

const record = (id: string, lastSeenAgoMs: number, mod: Partial<ServerRecord> = {}): ServerRecord => ({ v: 1, id, version: "v1.32.0-claw.0.1.0", url: `https://${id}:8080`, startedAt: at(-DAY), lastSeen: at(-lastSeenAgoMs), ...mod });
const object = <T extends KubeObject>(name: string, mod: Partial<T> = {}): T => ({ apiVersion: "security.clawbernetes.com/v1", kind: "X", metadata: { name, creationTimestamp: at(-DAY) }, ...mod }) as T;
const ready = (status: Condition["status"]): { conditions: Condition[] } => ({ conditions: [{ type: "Ready", status, reason: "R", message: "", lastTransitionTime: at(0) }] });

describe("serversSection", () => {
  const cases: { name: string; records: ServerRecord[]; health: Record<string, string> }[] = [
    { name: "marks a replica renewed within the threshold healthy", records: [record("a", 5_000)], health: { a: "healthy" } },
    { name: "marks a replica that stopped renewing stale", records: [record("b", 31_000)], health: { b: "stale" } },
    { name: "always counts the answering server healthy, whatever its record says", records: [record("self", 120_000)], health: { self: "healthy" } },
    { name: "marks a record with an unreadable lastSeen stale", records: [record("c", 0, { lastSeen: "yesterday" })], health: { c: "stale" } },
  ];
  it.each(cases)("$name", ({ records, health }) => {
    const section = serversSection(records, { selfId: "self", nowMs: NOW, staleAfterMs: 30_000 });
    expect(Object.fromEntries(section.items.map((i) => [i.id, i.health]))).toEqual(health);
    expect(section.staleAfterSeconds).toBe(30);
  });

  it("lists the answering server first, then healthy before stale replicas", () => {
    const section = serversSection([record("stale", 60_000), record("other", 1_000), record("self", 0)], { selfId: "self", nowMs: NOW, staleAfterMs: 30_000 });
    expect(section.items.map((i) => [i.id, i.self])).toEqual([["self", true], ["other", false], ["stale", false]]);
  });
});

describe("readinessOf", () => {
  it("counts Ready True, False and Unknown, and an object without a Ready condition as Unknown", () => {
    const objects = [object("a", { status: ready("True") }), object("b", { status: ready("True") }), object("c", { status: ready("False") }), object("d", { status: ready("Unknown") }), object("e")];
    expect(readinessOf({ kind: "Role", plural: "roles" }, objects)).toEqual({ kind: "Role", plural: "roles", total: 5, ready: 2, notReady: 1, unknown: 2 });
  });
});

describe("nodesSection", () => {
  it("counts nodes whose status says connected", () => {
    expect(nodesSection([object<Node>("a", { status: { connected: true } }), object<Node>("b", { status: { connected: false } }), object<Node>("c")])).toEqual({ connected: 1, total: 3 });
  });
});

describe("expiring credentials", () => {
  const window = { nowMs: NOW, withinDays: 14 };
  const cert = (name: string, notAfterInMs: number | undefined, spec: Partial<Certificate["spec"]> = {}) =>
    object<Certificate>(name, { spec: { commonName: name, ...spec }, status: notAfterInMs === undefined ? {} : { notAfter: at(notAfterInMs) } });
  const certCases: { name: string; certificates: Certificate[]; expected: [string, number][] }[] = [
    { name: "lists a certificate ending within the window with its whole days left", certificates: [cert("soon", 3 * DAY + 60_000)], expected: [["soon", 3]] },
    { name: "leaves out a certificate ending after the window", certificates: [cert("later", 15 * DAY)], expected: [] },
    { name: "lists an already expired certificate with negative days", certificates: [cert("gone", -DAY)], expected: [["gone", -1]] },
    { name: "leaves out a revoked certificate", certificates: [cert("revoked", DAY, { revoked: true })], expected: [] },
    { name: "leaves out a certificate not issued yet", certificates: [cert("pending", undefined)], expected: [] },
    { name: "orders the soonest first", certificates: [cert("b", 5 * DAY), cert("a", 2 * DAY)], expected: [["a", 2], ["b", 5]] },
  ];
  it.each(certCases)("$name", ({ certificates, expected }) => {
    const section = expiringCertificates(certificates, window);
    expect(section.withinDays).toBe(14);
    expect(section.items.map((i) => [i.name, i.daysLeft])).toEqual(expected);
  });

  const key = (name: string, expiresInMs: number, mod: { revoked?: boolean; phase?: "Active" | "Expired" | "Revoked"; onlySpec?: boolean } = {}) =>
    object<ApiKey>(name, {
      spec: { displayName: name, owner: "alice", scopes: ["*:*"], ...(mod.revoked ? { revoked: true } : {}), ...(mod.onlySpec ? { expiresAt: at(expiresInMs) } : {}) },
      status: { ...(mod.onlySpec ? {} : { expiresAt: at(expiresInMs) }), ...(mod.phase ? { phase: mod.phase } : {}) },
    });
  const keyCases: { name: string; keys: ApiKey[]; expected: string[] }[] = [
    { name: "lists a live key ending within the window", keys: [key("ci", 2 * DAY, { phase: "Active" })], expected: ["ci"] },
    { name: "reads spec.expiresAt before the controller has set status", keys: [key("new", DAY, { onlySpec: true })], expected: ["new"] },
    { name: "leaves out a revoked key", keys: [key("old", DAY, { revoked: true })], expected: [] },
    { name: "leaves out a key already marked Expired", keys: [key("done", -DAY, { phase: "Expired" })], expected: [] },
    { name: "leaves out a key ending after the window", keys: [key("far", 90 * DAY)], expected: [] },
  ];
  it.each(keyCases)("$name", ({ keys, expected }) => {
    expect(expiringApiKeys(keys, window).items.map((i) => i.name)).toEqual(expected);
  });
});

describe("blockRulesSection", () => {
  const rule = (name: string, mod: Partial<BlockRule> = {}) => object<BlockRule>(name, { spec: { cidr: "203.0.113.0/24" }, ...mod });
  const cases: { name: string; rules: BlockRule[]; active: number }[] = [
    { name: "trusts status.active once the controller set it", rules: [rule("a", { status: { active: true } }), rule("b", { status: { active: false } })], active: 1 },
    { name: "counts a rule without status and without expiry as active", rules: [rule("forever")], active: 1 },
    { name: "counts a rule without status whose expiry passed as inactive", rules: [rule("past", { spec: { cidr: "203.0.113.1/32", expiresAt: at(-1000) } })], active: 0 },
  ];
  it.each(cases)("$name", ({ rules, active }) => {
    expect(blockRulesSection(rules, NOW)).toEqual({ active, total: rules.length });
  });
});

describe("controllerSection", () => {
  const lease = (spec: Lease["spec"]): Lease => ({ apiVersion: "coordination.clawbernetes.com/v1", kind: "Lease", metadata: { name: "claw-controller-manager" }, spec });
  const cases: { name: string; lease: Lease | undefined; leader: string | undefined; current: boolean }[] = [
    { name: "names the holder that renewed within its lease duration as the current leader", lease: lease({ holderIdentity: "host_1", renewTime: at(-5_000), leaseDurationSeconds: 15 }), leader: "host_1", current: true },
    { name: "names a holder that stopped renewing but marks it not current", lease: lease({ holderIdentity: "host_1", renewTime: at(-20_000), leaseDurationSeconds: 15 }), leader: "host_1", current: false },
    { name: "has no leader when the holder released the Lease", lease: lease({ holderIdentity: "", renewTime: at(0) }), leader: undefined, current: false },
    { name: "has no leader when no Lease exists yet", lease: undefined, leader: undefined, current: false },
  ];
  it.each(cases)("$name", ({ lease: l, leader, current }) => {
    const section = controllerSection(l, { leaseName: "claw-controller-manager", nowMs: NOW });
    expect(section.leader).toBe(leader);
    expect(section.current).toBe(current);
    expect(section.lease).toBe("claw-controller-manager");
  });
});

describe("auditSection", () => {
  const cases: { name: string; input: Parameters<typeof auditSection>[0]; expected: ReturnType<typeof auditSection> }[] = [
    { name: "gives only the head when SIEM export is off", input: { enabled: true, headSeq: 42, exportEnabled: false }, expected: { enabled: true, headSeq: 42 } },
    { name: "gives the lag as head minus the acknowledged cursor", input: { enabled: true, headSeq: 42, exportEnabled: true, cursor: { seq: 30, holder: "h/1" } }, expected: { enabled: true, headSeq: 42, export: { cursorSeq: 30, lag: 12, holder: "h/1" } } },
    { name: "counts everything as lag before the shipper has a cursor", input: { enabled: true, headSeq: 7, exportEnabled: true }, expected: { enabled: true, headSeq: 7, export: { cursorSeq: 0, lag: 7 } } },
    { name: "never reports a negative lag", input: { enabled: true, headSeq: 5, exportEnabled: true, cursor: { seq: 9 } }, expected: { enabled: true, headSeq: 5, export: { cursorSeq: 9, lag: 0 } } },
  ];
  it.each(cases)("$name", ({ input, expected }) => {
    expect(auditSection(input)).toEqual(expected);
  });
});
