// The alert rules: thresholds over sliding windows, fed every audit event as it is recorded. A rule
// raises once per subject per window: a burst of 100 failed logins against one user is one alert (with
// the count that crossed the threshold); later repeats are counted and reported by the next alert for
// that subject, which can come once the window since the last one has passed.
//
// Memory is bounded: at most maxSubjects subjects per rule and maxEvents timestamps per subject (the
// oldest go first); admin_new_source keeps at most maxAddressesPerUser addresses per user, in memory
// only, so a restart re-learns them (a user with no known address sets a baseline and raises nothing).

import type { AuditEvent } from "../client/audit/event.js";
import type { AlertRuleConfig, AlertRuleName } from "./alerts-config.js";

export interface Alert {
  rule: AlertRuleName;
  /** Who or what it is about: a user name, an address, an actor, "actor → secret". Never a credential. */
  subject: string;
  /** Matching events in the window when it was raised. */
  count: number;
  threshold: number;
  windowSecs: number;
  /** ms since the epoch: the oldest and newest matching event counted. */
  firstSeen: number;
  lastSeen: number;
  /** Matching events after the previous alert for this subject that raised nothing (they fell in its window). */
  suppressed?: number;
}

type CountingRule = Exclude<AlertRuleName, "admin_new_source">;

const userOf = (actor: string): string => actor.replace(/^user:/, "");
const isFailedLogin = (e: AuditEvent): boolean => e.type === "auth.login" && e.outcome === "failure";

/** What each counting rule counts, and against which subject (undefined: not this rule's event). */
export const RULE_SUBJECTS: Record<CountingRule, (e: AuditEvent) => string | undefined> = {
  // A failed login, against the user name it tried.
  failed_logins_per_user: (e) => (isFailedLogin(e) && e.actor !== "anonymous" ? userOf(e.actor) : undefined),
  // A failed login, against the address it came from.
  failed_logins_per_source: (e) => (isFailedLogin(e) && e.sourceIp ? e.sourceIp : undefined),
  // A request refused by authorization (403), against whoever made it.
  forbidden_per_actor: (e) => (e.outcome === "denied" && e.type !== "security.blocked" && (e.type === "security.violation" || e.details?.status === 403) ? e.actor : undefined),
  // A workload refused a secret it is not allowed to read.
  secret_access_denied: (e) => (e.type === "secrets.accessed" && e.outcome === "denied" ? `${e.actor} → ${e.resource?.name ?? "unknown"}` : undefined),
};

interface Track {
  times: number[];
  raisedAt?: number;
  suppressed: number;
}

export interface AlertRulesOptions {
  rules: Record<AlertRuleName, AlertRuleConfig>;
  /** Whether a user holds the admin role (admin_new_source). */
  isAdmin: (user: string) => boolean | Promise<boolean>;
  maxSubjects?: number;
  maxEvents?: number;
  maxAddressesPerUser?: number;
}

export class AlertRules {
  private readonly tracks = new Map<CountingRule, Map<string, Track>>();
  /** user → address → when it was last seen logging in. */
  private readonly sources = new Map<string, Map<string, number>>();

  constructor(private readonly opts: AlertRulesOptions) {}

  /** The alerts `event` raises at `now` (ms). */
  async observe(event: AuditEvent, now: number): Promise<Alert[]> {
    if (event.type === "security.alert") return [];
    const alerts: Alert[] = [];
    for (const rule of Object.keys(RULE_SUBJECTS) as CountingRule[]) {
      const config = this.opts.rules[rule];
      const subject = config.enabled ? RULE_SUBJECTS[rule](event) : undefined;
      if (subject === undefined) continue;
      const alert = this.count(rule, config, subject, now);
      if (alert) alerts.push(alert);
    }
    const fresh = await this.newAdminSource(event, now);
    if (fresh) alerts.push(fresh);
    return alerts;
  }

  private count(rule: CountingRule, config: AlertRuleConfig, subject: string, now: number): Alert | undefined {
    let subjects = this.tracks.get(rule);
    if (!subjects) this.tracks.set(rule, (subjects = new Map()));
    let track = subjects.get(subject);
    if (!track) {
      if (subjects.size >= (this.opts.maxSubjects ?? 10_000)) this.evict(subjects, now, config.windowMs);
      subjects.set(subject, (track = { times: [], suppressed: 0 }));
    }
    const since = now - config.windowMs;
    while (track.times.length > 0 && track.times[0]! <= since) track.times.shift();
    track.times.push(now);
    if (track.times.length > (this.opts.maxEvents ?? 10_000)) track.times.shift();
    if (track.times.length < config.threshold) return undefined;
    if (track.raisedAt !== undefined && now - track.raisedAt < config.windowMs) {
      track.suppressed++;
      return undefined;
    }
    const suppressed = track.suppressed;
    track.raisedAt = now;
    track.suppressed = 0;
    return { rule, subject, count: track.times.length, threshold: config.threshold, windowSecs: config.windowMs / 1000, firstSeen: track.times[0]!, lastSeen: now, ...(suppressed > 0 ? { suppressed } : {}) };
  }

  /** Drops subjects with nothing in their window (or, if none, the oldest). */
  private evict(subjects: Map<string, Track>, now: number, windowMs: number): void {
    for (const [key, t] of subjects) if ((t.times.at(-1) ?? 0) <= now - windowMs && (t.raisedAt ?? 0) <= now - windowMs) subjects.delete(key);
    if (subjects.size >= (this.opts.maxSubjects ?? 10_000)) subjects.delete(subjects.keys().next().value!);
  }

  private async newAdminSource(event: AuditEvent, now: number): Promise<Alert | undefined> {
    const config = this.opts.rules.admin_new_source;
    if (!config.enabled || event.type !== "auth.login" || event.outcome !== "success" || !event.sourceIp) return undefined;
    const user = userOf(event.actor);
    const ip = event.sourceIp;
    let known = this.sources.get(user);
    const hadHistory = known !== undefined && known.size > 0;
    if (!known) {
      if (this.sources.size >= (this.opts.maxSubjects ?? 10_000)) this.sources.delete(this.sources.keys().next().value!);
      this.sources.set(user, (known = new Map()));
    }
    const seenAt = known.get(ip);
    known.delete(ip); // re-inserted last: the map's order is least recently seen first
    known.set(ip, now);
    if (known.size > (this.opts.maxAddressesPerUser ?? 32)) known.delete(known.keys().next().value!);
    const isNew = seenAt === undefined || now - seenAt > config.windowMs;
    if (!hadHistory || !isNew || !(await this.opts.isAdmin(user))) return undefined;
    return { rule: "admin_new_source", subject: `${user} from ${ip}`, count: 1, threshold: 1, windowSecs: config.windowMs / 1000, firstSeen: now, lastSeen: now };
  }
}
