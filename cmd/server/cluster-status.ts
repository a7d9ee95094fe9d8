// The pure half of `claw status`: each section of a ClusterStatus from what the module read (objects, server
// records, the Lease, the audit head and cursor) and the time. No I/O; cluster-status.test.ts covers it.

import type { Condition, KubeObject } from "../../api/machinery/meta.js";
import type { ApiKey } from "../../api/types/api-key.js";
import { blockRuleExpiry } from "../../api/types/block-rule-expiry.js";
import type { BlockRule } from "../../api/types/block-rule.js";
import type { Certificate } from "../../api/types/certificate.js";
import type { AuditSection, BlockRulesSection, ControllerSection, ExpiringItem, ExpiringSection, KindReadiness, NodesSection, ServerReplica, ServersSection } from "../../api/types/cluster-status-api.js";
import type { Lease } from "../../api/types/lease.js";
import type { Node } from "../../api/types/node.js";
import type { ServerRecord } from "./server-registration.js";

const DAY_MS = 86_400_000;

export function serversSection(records: readonly ServerRecord[], opts: { selfId: string; nowMs: number; staleAfterMs: number }): ServersSection {
  const items = records.map((r): ServerReplica => {
    const seen = Date.parse(r.lastSeen);
    const healthy = r.id === opts.selfId || (!Number.isNaN(seen) && opts.nowMs - seen <= opts.staleAfterMs);
    return { id: r.id, version: r.version, url: r.url, startedAt: r.startedAt, lastSeen: r.lastSeen, health: healthy ? "healthy" : "stale", self: r.id === opts.selfId };
  });
  // The answering server first, then the healthy ones, then by start time.
  items.sort((a, b) => Number(b.self) - Number(a.self) || Number(a.health === "stale") - Number(b.health === "stale") || a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  return { items, staleAfterSeconds: Math.round(opts.staleAfterMs / 1000) };
}

export function readinessOf(kind: { kind: string; plural: string }, objects: readonly KubeObject[]): KindReadiness {
  const counts = { total: objects.length, ready: 0, notReady: 0, unknown: 0 };
  for (const obj of objects) {
    const ready = conditionsOf(obj).find((c) => c.type === "Ready")?.status;
    if (ready === "True") counts.ready++;
    else if (ready === "False") counts.notReady++;
    else counts.unknown++;
  }
  return { kind: kind.kind, plural: kind.plural, ...counts };
}

function conditionsOf(obj: KubeObject): readonly Condition[] {
  const status = obj.status;
  if (typeof status !== "object" || status === null || !("conditions" in status)) return [];
  const conditions = (status as { conditions?: unknown }).conditions;
  return Array.isArray(conditions) ? (conditions as Condition[]) : [];
}

export const nodesSection = (nodes: readonly Node[]): NodesSection => ({ connected: nodes.filter((n) => n.status?.connected === true).length, total: nodes.length });

/** Issued, unrevoked certificates whose notAfter falls within the window (or already passed), soonest first. */
export function expiringCertificates(certificates: readonly Certificate[], opts: { nowMs: number; withinDays: number }): ExpiringSection {
  const candidates = certificates.filter((c) => c.spec?.revoked !== true && c.status?.revokedAt === undefined).map((c) => ({ name: c.metadata.name, at: c.status?.notAfter }));
  return expiring(candidates, opts);
}

/** Live keys (not revoked, not already marked expired) whose expiry falls within the window, soonest first. */
export function expiringApiKeys(keys: readonly ApiKey[], opts: { nowMs: number; withinDays: number }): ExpiringSection {
  const live = keys.filter((k) => k.spec?.revoked !== true && k.status?.phase !== "Revoked" && k.status?.phase !== "Expired");
  return expiring(
    live.map((k) => ({ name: k.metadata.name, at: k.status?.expiresAt ?? k.spec?.expiresAt })),
    opts,
  );
}

function expiring(candidates: readonly { name: string; at: string | undefined }[], opts: { nowMs: number; withinDays: number }): ExpiringSection {
  const items: ExpiringItem[] = [];
  for (const { name, at } of candidates) {
    const ms = at === undefined ? Number.NaN : Date.parse(at);
    if (Number.isNaN(ms) || ms - opts.nowMs > opts.withinDays * DAY_MS) continue;
    items.push({ name, expiresAt: at!, daysLeft: Math.floor((ms - opts.nowMs) / DAY_MS) });
  }
  items.sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt) || a.name.localeCompare(b.name));
  return { withinDays: opts.withinDays, items };
}

/** Active: the controller says so, or (before it has) the rule has not expired. */
export function blockRulesSection(rules: readonly BlockRule[], nowMs: number): BlockRulesSection {
  const active = rules.filter((r) => {
    if (r.status?.active !== undefined) return r.status.active;
    const expiry = blockRuleExpiry(r);
    return expiry.kind === "never" || (expiry.kind === "at" && expiry.ms > nowMs);
  });
  return { active: active.length, total: rules.length };
}

export function controllerSection(lease: Lease | undefined, opts: { leaseName: string; nowMs: number }): ControllerSection {
  const spec = lease?.spec;
  const holder = spec?.holderIdentity || undefined;
  const renewed = spec?.renewTime ? Date.parse(spec.renewTime) : Number.NaN;
  const current = holder !== undefined && !Number.isNaN(renewed) && opts.nowMs - renewed <= (spec?.leaseDurationSeconds ?? 15) * 1000;
  return {
    lease: opts.leaseName,
    ...(holder ? { leader: holder } : {}),
    ...(spec?.renewTime ? { renewTime: spec.renewTime } : {}),
    current,
    ...(spec?.leaseTransitions !== undefined ? { leaseTransitions: spec.leaseTransitions } : {}),
  };
}

/** The SIEM lag is what the log holds beyond what the SIEM acknowledged (never below zero after pruning). */
export function auditSection(opts: { enabled: boolean; headSeq: number; exportEnabled: boolean; cursor?: { seq: number; holder?: string } }): AuditSection {
  if (!opts.exportEnabled) return { enabled: opts.enabled, headSeq: opts.headSeq };
  const cursorSeq = opts.cursor?.seq ?? 0;
  return { enabled: opts.enabled, headSeq: opts.headSeq, export: { cursorSeq, lag: Math.max(0, opts.headSeq - cursorSeq), ...(opts.cursor?.holder ? { holder: opts.cursor.holder } : {}) } };
}
