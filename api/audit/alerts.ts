// Alerts ([alerts]): the rules (alert-rules.ts) read every audit event as it is recorded; each alert is
// recorded as a security.alert entry, counted in claw_alerts_total{rule}, and delivered to the webhook by
// the SIEM shipper's machinery over its own durable cursor (/claw/audit/alerts/cursor, security.alert
// entries only): batched, retried with capped backoff, nothing lost across a restart.

import { Counter, type Registry } from "prom-client";
import type { Dispatcher } from "undici";
import { auditTime, type AuditEvent } from "../client/audit/event.js";
import type { Clock } from "../machinery/clock.js";
import { GROUP } from "../machinery/meta.js";
import { decodeObject, resourceKey } from "../store/keys.js";
import type { Store } from "../store/store.js";
import type { User } from "../types/user.js";
import { AlertRules, type Alert } from "./alert-rules.js";
import type { AlertsConfig } from "./alerts-config.js";
import type { AuditLogger } from "./audit-log.js";
import { ALERT_CURSOR_KEY } from "./batch-keys.js";
import type { BatchStore } from "./batch-store.js";
import { SiemShipper } from "./siem-shipper.js";

/** The role whose holders' logins from new addresses raise admin_new_source. */
export const ADMIN_ROLE = "admin";
export const ALERT_ACTOR = "system:alerts";

export interface AlertServiceOptions {
  config: AlertsConfig;
  store: Store;
  batches: BatchStore;
  clock: Clock;
  /** Records an alert's entry (the audit module's best-effort note). */
  record: (event: AuditEvent) => Promise<void>;
  /** Wakes the webhook shipper after appends (AuditLog.onAppended). */
  subscribe: (wake: () => void) => () => void;
  /** This server's name for the webhook cursor's lease. */
  holder: string;
  dispatcher?: Dispatcher;
  logger?: AuditLogger;
  /** Whether a user holds the admin role; read from the User object in the store by default. */
  isAdmin?: (user: string) => Promise<boolean>;
  initialBackoffMs?: number;
}

/** The audit entry an alert becomes: what fired and when, never the events' details. */
export const alertEvent = (alert: Alert): AuditEvent => ({
  type: "security.alert",
  actor: ALERT_ACTOR,
  outcome: "success",
  details: {
    rule: alert.rule,
    subject: alert.subject,
    count: alert.count,
    threshold: alert.threshold,
    windowSecs: alert.windowSecs,
    firstSeen: auditTime(alert.firstSeen),
    lastSeen: auditTime(alert.lastSeen),
    ...(alert.suppressed ? { suppressed: alert.suppressed } : {}),
  },
});

export class AlertService {
  readonly shipper: SiemShipper | undefined;
  private readonly rules: AlertRules;
  private readonly counter = new Counter({ name: "claw_alerts_total", help: "Security alerts raised, by rule.", labelNames: ["rule"], registers: [] });
  /** Events are judged one at a time, in the order they were recorded. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: AlertServiceOptions) {
    const { config } = opts;
    this.rules = new AlertRules({ rules: config.rules, isAdmin: opts.isAdmin ?? ((user) => this.holdsAdmin(user)) });
    this.shipper = config.webhook
      ? new SiemShipper({
          store: opts.store,
          batches: opts.batches,
          clock: opts.clock,
          config: { enabled: true, endpoint: config.webhook, format: "json", batchSize: 100, timeoutMs: config.timeoutMs, maxBackoffMs: config.maxBackoffMs },
          holder: opts.holder,
          subscribe: opts.subscribe,
          cursorKey: ALERT_CURSOR_KEY,
          filter: (entry) => entry.type === "security.alert",
          name: "claw-alert",
          ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
          ...(opts.logger ? { logger: opts.logger } : {}),
          ...(opts.initialBackoffMs !== undefined ? { initialBackoffMs: opts.initialBackoffMs } : {}),
        })
      : undefined;
  }

  registerMetrics(registry: Registry): void {
    registry.registerMetric(this.counter);
  }

  /** Judges an event (asynchronously, in order); settled() waits for it. */
  observe(event: AuditEvent): void {
    const at = event.at ?? this.opts.clock.now();
    this.chain = this.chain.then(() => this.judge(event, at));
  }

  /** Resolves once every event observed so far was judged and its alerts recorded. */
  settled(): Promise<void> {
    return this.chain;
  }

  start(): void {
    this.shipper?.start();
  }

  async stop(): Promise<void> {
    await this.chain;
    await this.shipper?.stop();
  }

  private async judge(event: AuditEvent, at: number): Promise<void> {
    try {
      for (const alert of await this.rules.observe(event, at)) {
        this.counter.inc({ rule: alert.rule });
        this.opts.logger?.warn({ rule: alert.rule, subject: alert.subject, count: alert.count }, "security alert");
        await this.opts.record(alertEvent(alert));
      }
    } catch (err) {
      this.opts.logger?.error({ err: (err as Error).message, type: event.type }, "alert rules failed on an event");
    }
  }

  private async holdsAdmin(user: string): Promise<boolean> {
    const kv = await this.opts.store.get(resourceKey(GROUP, "users", user));
    if (!kv) return false;
    return decodeObject<User>(kv).spec?.roles?.includes(ADMIN_ROLE) ?? false;
  }
}
