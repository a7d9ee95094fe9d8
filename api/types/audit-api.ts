// The audit API's wire contract, shared by the server routes and the `claw audit` commands.

import type { AuditEntry } from "../client/audit/event.js";
import type { Anchor, PublishedKey } from "../client/audit/batch.js";

export const AUDIT_GROUP = "audit.clawbernetes.com";
/** Every audit endpoint is under this prefix; reading any of them needs the RBAC permission audit:read. */
export const AUDIT_API = `/apis/${AUDIT_GROUP}/v1`;

export const auditPaths = {
  /**
   * POST WorkloadEvent → 201 {seq}: a workload started or stopped (`claw run`, the node agent). Needs
   * workloads:execute; recorded as workload.started / workload.stopped with the caller as actor.
   */
  workloadEvents: `${AUDIT_API}/workloadevents`,
  /**
   * GET → AuditEventList. Query: type (repeatable or comma-separated; `auth.*` for a family), user,
   * since / until (RFC 3339), last (the last N matches), afterSeq + limit (forward pages; follow
   * metadata.continue). With watch=true: newline-delimited AuditWatchEvents — the last N matches (last=N) or
   * every match after a seq the client holds (afterSeq=N), then each new match as it is appended, a
   * BOOKMARK with the head seq every 30 s; timeoutSeconds bounds it. Resume with afterSeq = the last seq seen.
   */
  events: `${AUDIT_API}/events`,
  /** GET → application/x-ndjson: a header line (AuditLogHeader), then every stored batch verbatim, one per line. `?after=N` resumes after batch N. */
  batches: `${AUDIT_API}/batches`,
  /** GET → PublicKeyList (or PEM text with ?format=pem): every server's checkpoint signing key. */
  publicKeys: `${AUDIT_API}/publickeys`,
  /** GET → AuditStatus: enabled, writable, head. */
  status: `${AUDIT_API}/status`,
} as const;

export const MAX_PAGE = 5000;
export const MAX_LAST = 10_000;

export interface AuditEventList {
  apiVersion: string;
  kind: "AuditEventList";
  metadata: { headSeq: number; firstSeq: number; continue?: string };
  items: AuditEntry[];
}

/** One line of the audit watch: an entry, the head seq the stream has passed, or why it ended (a Status). */
export type AuditWatchEvent =
  | { type: "ADDED"; object: AuditEntry }
  | { type: "BOOKMARK"; object: { apiVersion: string; kind: "AuditBookmark"; seq: number } }
  | { type: "ERROR"; object: { apiVersion: "v1"; kind: "Status"; status: "Failure"; code: number; reason: string; message: string } };

export interface AuditLogHeader {
  kind: "AuditLogHeader";
  anchor: Anchor | null;
  headSeq: number;
}

export interface PublicKeyList {
  kind: "PublicKeyList";
  items: PublishedKey[];
}

export interface AuditStatus {
  kind: "AuditStatus";
  enabled: boolean;
  healthy: boolean;
  headSeq: number;
  firstSeq: number;
  signedSeq?: number;
}

export interface WorkloadEvent {
  event: "started" | "stopped";
  workload: { name: string; labels?: Record<string, string> };
  /** For stopped: the process's exit code, or the signal that ended it. */
  exitCode?: number;
  signal?: string;
  /** The secrets the workload was given (names only). */
  secrets?: string[];
}
