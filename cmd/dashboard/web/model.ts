// What the panels show, computed without the DOM: expiry bars, secrets due for rotation, the failed-login
// timeline, and whether a login answer asks for a one-time code. Pure, so model.test.ts covers it in Node.

import type { ApiKey } from "../../../api/types/api-key.js";
import type { Certificate } from "../../../api/types/certificate.js";
import type { Secret } from "../../../api/types/secret.js";
import type { AuditEntry } from "../../../api/client/audit/event.js";
import { MFA_REQUIRED_REASON } from "./paths.js";
import type { StatusBody } from "./api.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ExpiryItem {
  kind: "Certificate" | "ApiKey";
  name: string;
  /** ms since the epoch. */
  start: number;
  end: number;
  /** 1 at the start of its life, 0 at expiry (clamped). */
  remaining: number;
  daysLeft: number;
  level: "ok" | "warn" | "critical";
}

const ms = (text: string | undefined): number | undefined => {
  const value = text ? Date.parse(text) : Number.NaN;
  return Number.isNaN(value) ? undefined : value;
};

/** The `limit` credentials that expire soonest (expired ones first), for the expiry bars. */
export function expiringSoonest(input: { certificates: readonly Certificate[]; apiKeys: readonly ApiKey[]; now: number; limit: number }): ExpiryItem[] {
  const item = (kind: ExpiryItem["kind"], name: string, startText: string | undefined, endText: string | undefined): ExpiryItem[] => {
    const end = ms(endText);
    if (end === undefined) return [];
    const start = Math.min(ms(startText) ?? end, end);
    const life = end - start;
    const remaining = life > 0 ? Math.min(1, Math.max(0, (end - input.now) / life)) : 0;
    const daysLeft = (end - input.now) / DAY_MS;
    return [{ kind, name, start, end, remaining, daysLeft, level: daysLeft < 7 ? "critical" : daysLeft < 30 ? "warn" : "ok" }];
  };
  return [
    ...input.certificates.filter((c) => !c.spec?.revoked).flatMap((c) => item("Certificate", c.metadata.name, c.status?.notBefore, c.status?.notAfter)),
    ...input.apiKeys.filter((k) => k.status?.phase !== "Revoked").flatMap((k) => item("ApiKey", k.metadata.name, k.status?.lastRotatedAt ?? k.metadata.creationTimestamp, k.status?.expiresAt)),
  ]
    .sort((a, b) => a.end - b.end)
    .slice(0, input.limit);
}

export interface RotationDue {
  name: string;
  /** ms since the epoch. */
  dueAt: number;
  overdue: boolean;
  daysLeft: number;
}

/** Auto-rotating secrets whose next rotation is within `withinDays` (or past), soonest first. */
export function secretsDue(input: { secrets: readonly Secret[]; now: number; withinDays: number }): RotationDue[] {
  return input.secrets
    .flatMap((s) => {
      const dueAt = s.spec?.rotation?.autoRotate ? ms(s.status?.nextRotationAt) : undefined;
      if (dueAt === undefined || dueAt - input.now > input.withinDays * DAY_MS) return [];
      return [{ name: s.metadata.name, dueAt, overdue: dueAt <= input.now, daysLeft: (dueAt - input.now) / DAY_MS }];
    })
    .sort((a, b) => a.dueAt - b.dueAt);
}

export interface TimelineBucket {
  /** ms since the epoch: the start of the hour. */
  start: number;
  /** Failed authentications: refused logins and 401s (a wrong key or token). */
  failures: number;
  /** Requests refused by a block (security.blocked). */
  blocks: number;
}

/** The audit types the timeline reads. */
export const TIMELINE_TYPES = ["auth.login", "security.violation", "security.blocked"] as const;

/** How many refusals one entry stands for: a window's summary carries the repeats it folded (details.repeated). */
const weight = (e: AuditEntry): number => {
  const repeated = e.details?.["repeated"];
  return typeof repeated === "number" && repeated > 0 ? repeated : 1;
};

/** Failed authentications and blocks per hour for the last `hours` hours, oldest first, ending with the current hour. */
export function securityTimeline(input: { entries: readonly AuditEntry[]; now: number; hours: number }): TimelineBucket[] {
  const last = Math.floor(input.now / HOUR_MS) * HOUR_MS;
  const first = last - (input.hours - 1) * HOUR_MS;
  const buckets: TimelineBucket[] = Array.from({ length: input.hours }, (_, i) => ({ start: first + i * HOUR_MS, failures: 0, blocks: 0 }));
  for (const e of input.entries) {
    const failed = (e.type === "auth.login" && e.outcome !== "success") || (e.type === "security.violation" && e.outcome === "failure");
    const blocked = e.type === "security.blocked";
    if (!failed && !blocked) continue;
    const at = ms(e.time);
    if (at === undefined || at < first || at >= last + HOUR_MS) continue;
    const bucket = buckets[Math.floor((at - first) / HOUR_MS)]!;
    if (failed) bucket.failures += weight(e);
    else bucket.blocks += weight(e);
  }
  return buckets;
}

/** Whether a refused login asks for a one-time code (the MFA half of login): show the code field then. */
export const needsMfaCode = (status: number, body: StatusBody): boolean => status === 401 && (body.details?.causes ?? []).some((c) => c.reason === MFA_REQUIRED_REASON);

/** "3d", "5h", "12m", or "expired". */
export function timeLeft(fromMs: number, toMs: number): string {
  const left = toMs - fromMs;
  if (left <= 0) return "expired";
  if (left >= DAY_MS) return `${Math.floor(left / DAY_MS)}d`;
  if (left >= HOUR_MS) return `${Math.floor(left / HOUR_MS)}h`;
  return `${Math.max(1, Math.floor(left / 60_000))}m`;
}
