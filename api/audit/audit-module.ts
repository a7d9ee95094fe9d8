// The audit module: the AuditLog as the module context's AuditSink (resource writes commit with their
// entries in one transaction), the audit routes (audit:read), readiness while a fail-closed log cannot
// be written, retention and SIEM shipping, and the observer that turns refused requests into
// security.violation entries — aggregated per source, so failures cannot flood the log — and [alerts].

import type { Dispatcher } from "undici";
import type { Registry } from "prom-client";
import type { AlertsConfig } from "./alerts-config.js";
import { AlertService } from "./alerts.js";
import type { AuditEvent } from "../client/audit/event.js";
import type { CheckpointSigner } from "../client/audit/checkpoint.js";
import type { ApiError } from "../machinery/errors.js";
import { credentialOf } from "../server/authentication.js";
import type { AuditSink, ModuleContext, RequestObserver, ServerModule } from "../server/module.js";
import type { RequestContext } from "../server/request-context.js";
import type { Route } from "../server/route-table.js";
import type { AuditConfig } from "./audit-config.js";
import { AuditLog } from "./audit-log.js";
import { auditRoutes } from "./audit-routes.js";
import { workloadEventsRoute } from "./workload-events.js";
import { changeEvents } from "./change-events.js";
import { actorOf, forbiddenEvent, sourceIpOf, unauthenticatedEvent } from "./event-builders.js";
import { RetentionPruner } from "./retention.js";
import { SiemShipper } from "./siem-shipper.js";
import { ViolationAggregator } from "../server/violation-aggregator.js";
import { WatchLimiter } from "../server/watch-limit.js";

export interface AuditModuleOptions {
  config: AuditConfig;
  signer?: CheckpointSigner;
  /** [audit.export]: the bearer token (read from token_env by the caller) and a dispatcher trusting ca_file. */
  shipping?: { token?: string; dispatcher?: Dispatcher; holder: string };
  /** [alerts]: the rules and the webhook (holder names this server for the webhook cursor's lease). */
  alerts?: { config: AlertsConfig; holder: string; dispatcher?: Dispatcher; initialBackoffMs?: number };
}

export class AuditModule implements ServerModule {
  readonly name = "audit";
  readonly log: AuditLog;
  readonly routes: readonly Route[];
  readonly healthChecks: Record<string, () => Promise<void>>;
  readonly observer: RequestObserver;
  readonly provides: { audit: AuditSink };
  private readonly pruner: RetentionPruner;
  private readonly shipper: SiemShipper | undefined;
  private readonly violations: ViolationAggregator;
  /** The alert rules and webhook, when [alerts] enabled = true (and the log is on). */
  readonly alerts: AlertService | undefined;

  constructor(ctx: ModuleContext, opts: AuditModuleOptions) {
    const { config } = opts;
    const logger = ctx.logger.child({ component: "audit" });
    this.log = new AuditLog({ store: ctx.store, clock: ctx.clock, config, logger, ...(opts.signer ? { signer: opts.signer } : {}) });
    const log = this.log;
    const note = async (event: AuditEvent) => {
      try {
        await log.append(event);
      } catch (err) {
        logger.error({ err: (err as Error).message, type: event.type }, "audit entry could not be written");
      }
    };
    // Refusals reach the alert rules one by one in refused(); what the aggregator records is not counted again.
    const aggregated = new WeakSet<AuditEvent>();
    this.violations = new ViolationAggregator({ clock: ctx.clock, record: (event) => (aggregated.add(event), note(event)) });
    const alerts = opts.alerts;
    this.alerts =
      config.enabled && alerts?.config.enabled
        ? new AlertService({
            config: alerts.config,
            store: ctx.store,
            batches: log.batches,
            clock: ctx.clock,
            record: note,
            subscribe: (wake) => log.onAppended(wake),
            holder: alerts.holder,
            logger,
            ...(alerts.dispatcher ? { dispatcher: alerts.dispatcher } : {}),
            ...(alerts.initialBackoffMs !== undefined ? { initialBackoffMs: alerts.initialBackoffMs } : {}),
          })
        : undefined;
    const service = this.alerts;
    if (service) log.onEvent((event) => (aggregated.has(event) ? undefined : service.observe(event)));
    this.provides = {
      audit: {
        guard: () => log.guard(),
        record: async (event) => void (await log.record(event)),
        note,
        commit: (write) => log.commit(write, changeEvents(write.change)),
      },
    };
    this.routes = [...auditRoutes({ batches: log.batches, log, watch: { store: ctx.store, clock: ctx.clock, limiter: new WatchLimiter() } }), workloadEventsRoute(log)];
    this.healthChecks = config.enabled && config.failClosed ? { audit: () => log.healthCheck() } : {};
    this.observer = { failed: (rc, error) => this.refused(rc, error) };
    this.pruner = new RetentionPruner({ log, batches: log.batches, clock: ctx.clock, retentionDays: config.retentionDays, signed: config.signLogs, logger });
    const exp = config.export;
    this.shipper =
      config.enabled && exp.enabled && opts.shipping
        ? new SiemShipper({
            store: ctx.store,
            batches: log.batches,
            clock: ctx.clock,
            config: exp,
            holder: opts.shipping.holder,
            logger,
            subscribe: (wake) => log.onAppended(wake),
            ...(opts.shipping.token ? { token: opts.shipping.token } : {}),
            ...(opts.shipping.dispatcher ? { dispatcher: opts.shipping.dispatcher } : {}),
          })
        : undefined;
  }

  async start(): Promise<void> {
    await this.log.start();
    if (this.log.enabled) this.pruner.start();
    this.shipper?.start();
    this.alerts?.start();
  }

  registerMetrics(registry: Registry): void {
    this.alerts?.registerMetrics(registry);
  }

  async stop(): Promise<void> {
    await this.violations.stop();
    await this.alerts?.stop();
    this.pruner.stop();
    await this.shipper?.stop();
    await this.log.stop();
  }

  /** 401 and 403 become security events, one per source and window plus a count of the repeats. */
  private async refused(ctx: RequestContext, error: ApiError): Promise<void> {
    if ((error.code !== 401 && error.code !== 403) || ctx.refusalRecorded) return;
    const declared = ctx.info.route?.refusal;
    const as =
      ctx.auditAs ??
      (declared && error.code === 403 ? { type: declared.type, actor: actorOf(ctx), resource: { group: ctx.info.group ?? "", kind: declared.kind, ...(ctx.info.name !== undefined ? { name: ctx.info.name } : {}) }, details: {} } : undefined);
    let event: AuditEvent;
    if (as) event = { ...as, outcome: error.code === 401 ? "failure" : "denied", ...(sourceIpOf(ctx) ? { sourceIp: sourceIpOf(ctx)! } : {}), details: { ...as.details, status: error.code, reason: error.message } };
    else if (error.code === 401) event = unauthenticatedEvent(ctx, { ...(credentialOf(ctx.req) ? { credential: credentialOf(ctx.req)! } : {}), reason: error.message });
    else event = forbiddenEvent(ctx, { reason: error.message });
    const actor = error.code === 401 && !as ? event.actor : actorOf(ctx);
    this.alerts?.observe(event);
    await this.violations.refused(`${event.type}|${error.code}|${actor}|${event.sourceIp ?? ""}`, event);
  }
}
