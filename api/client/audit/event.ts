// The audit event model: what an emitter hands to AuditLog.append, and the entry the log stores.
//
// Who emits what (the emit API is AuditLog.append / AuditLog.record; see audit-log.ts):
//   API server (api/server, wired by the lead):
//     auth.login (success | failure), auth.logout, auth.apikey.created, auth.apikey.revoked,
//     rbac.role.assigned, secrets.created, secrets.accessed (a workload reads a value),
//     security.violation for every 401 (outcome failure) and 403 (outcome denied),
//     resource.created / resource.updated / resource.deleted for every write of a claw resource.
//   Controllers (controllers/): secrets.rotated, certificates.issued, certificates.revoked.
//   Gateway guard: security.blocked (an IP refused by a BlockRule, geo rule or rate limit).
//   Node agent and workload runtime (not built yet; the emit API above is theirs when they land):
//     node.connected, node.disconnected, workload.started, workload.stopped.
//   claw server: store.backup (an admin downloaded a snapshot of the embedded store; details: bytes).
//   The audit log itself: audit.pruned (retention dropped entries behind a signed anchor).
//   The audit module's alert rules (api/audit/alert-rules.ts): security.alert (a threshold crossed or an
//     unusual event; details: rule, subject, count, window, first/last seen — never a secret).

import type { JsonValue } from "./canonical-json.js";

/** The guide's fourteen event types, plus resource changes and what controllers and the log itself record. */
export const AUDIT_EVENT_TYPES = [
  "auth.login",
  "auth.logout",
  "auth.apikey.created",
  "auth.apikey.revoked",
  "auth.password.set",
  "auth.token.refreshed",
  "auth.mfa.enabled",
  "auth.mfa.disabled",
  "rbac.role.assigned",
  "secrets.accessed",
  "secrets.created",
  "secrets.rotated",
  "node.connected",
  "node.disconnected",
  "workload.started",
  "workload.stopped",
  "security.blocked",
  "security.violation",
  "resource.created",
  "resource.updated",
  "resource.deleted",
  "certificates.issued",
  "certificates.renewed",
  "certificates.revoked",
  "certificates.keyaccessed",
  "audit.pruned",
  "security.alert",
  "store.backup",
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const AUDIT_OUTCOMES = ["success", "failure", "denied"] as const;
/** success: it happened; failure: it was attempted and failed (bad password); denied: policy refused it (RBAC, block rule). */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** What an event is about. For claw resources group is security.clawbernetes.com and kind the Kind (Secret, Role…). */
export interface AuditResource {
  group: string;
  kind: string;
  name?: string;
}

/** What an emitter passes to AuditLog.append. Never put a secret value, password or token in it: the guard strips them anyway. */
export interface AuditEvent {
  type: AuditEventType;
  /** Who did it: `user:alice`, `apikey:ak_…` (the key id, never the secret), `system:…`, or `anonymous`. */
  actor: string;
  /** The client's address (the socket's remote address), when there is one. */
  sourceIp?: string;
  resource?: AuditResource;
  outcome: AuditOutcome;
  /** A small object: reason, verb, field manager, role… Trimmed to a few KiB and redacted on append. */
  details?: Record<string, unknown>;
  /** When it happened (ms since the epoch); the log's clock at append when absent. */
  at?: number;
}

/**
 * One stored entry. `prevHash` is the `hash` of the entry before it (GENESIS_HASH for entry 1) and `hash`
 * is SHA-256 over the canonical JSON of the entry without `hash` (entry-hash.ts). Both are absent when
 * the log was written with [audit] hash_chain = false.
 */
export interface AuditEntry {
  seq: number;
  /** RFC 3339 with milliseconds, UTC. */
  time: string;
  type: string;
  actor: string;
  /** "" when unknown. */
  sourceIp: string;
  resource: AuditResource | null;
  outcome: AuditOutcome;
  details: { [key: string]: JsonValue };
  prevHash?: string;
  hash?: string;
}

export const isAuditEventType = (text: string): text is AuditEventType => (AUDIT_EVENT_TYPES as readonly string[]).includes(text);
export const isAuditOutcome = (text: unknown): text is AuditOutcome => typeof text === "string" && (AUDIT_OUTCOMES as readonly string[]).includes(text);

/** RFC 3339 with milliseconds, UTC (entries are ordered by seq, but people read the time). */
export const auditTime = (ms: number): string => new Date(ms).toISOString();

/** The last millisecond toISOString writes as YYYY-MM-DDTHH:MM:SS.mmmZ (year 9999). */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

/** auditTime that builds one Date a second (the milliseconds are appended): thousands of entries share it under load. */
export function memoAuditTime(): (ms: number) => string {
  let last = { ms: Number.NaN, text: "" };
  let second = { at: Number.NaN, prefix: "" };
  return (ms) => {
    if (ms === last.ms) return last.text;
    if (!Number.isInteger(ms) || ms < 0 || ms > LAST_FOUR_DIGIT_YEAR_MS) return auditTime(ms);
    const at = Math.floor(ms / 1000);
    // "YYYY-MM-DDTHH:MM:SS." of this second.
    if (at !== second.at) second = { at, prefix: auditTime(at * 1000).slice(0, 20) };
    const milli = ms - at * 1000;
    last = { ms, text: `${second.prefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z` };
    return last.text;
  };
}
