// The gateway guard: the guide's [ddos] chapter as the server's first stage, cheapest check first.
//   at TCP accept (before a TLS handshake is paid): allowlist → BlockRules → geography → connection limits;
//   the server's deadlines: the handshake, the headers and the whole request within slow_loris_timeout_secs;
//   per request, before authentication: the forwarded client's BlockRules and geography (403) → the
//   per-source token bucket (429) → compute cost by the route's declared class (429) → bandwidth
//   (throttled: the request waits for its bytes' budget rather than failing, up to a limit).
// Each violation lowers the source's reputation and counts toward auto-blocking, which writes a BlockRule
// (source auto) that every server enforces. Refusals are counted by reason and recorded as security.violation
// / security.blocked audit entries, aggregated per source and window. In shadow mode every decision is
// made, counted and logged, and nothing is refused.

import type { Socket } from "node:net";
import { hostname } from "node:os";
import { Counter, Gauge, type Registry } from "prom-client";
import type { AuditEvent } from "../client/audit/event.js";
import { toRfc3339 } from "../machinery/clock.js";
import { ApiError, isApiError, tooManyRequests } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { ConnectionGate, Guard } from "../server/gate.js";
import { sendJson } from "../server/http-io.js";
import type { ModuleContext, ModuleRuntime, RequestObserver, ServerModule } from "../server/module.js";
import type { CostClass, RequestContext } from "../server/request-context.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Route } from "../server/route-table.js";
import { ViolationAggregator } from "../server/violation-aggregator.js";
import type { BlockRule } from "../types/block-rule.js";
import { blockRuleName, guardPaths, type ReputationList } from "../types/guard-api.js";
import { BlockList } from "./block-list.js";
import { CidrSet } from "./cidr-set.js";
import type { CountryLookup } from "./country-lookup.js";
import type { GuardConfig } from "./guard-config.js";
import { OffenderTracker, type ViolationKind } from "./offender-tracker.js";
import { peerAddress, sourceAddress } from "./source-address.js";
import { TokenBuckets } from "./token-buckets.js";

/** What each route class costs against [ddos.compute] max_cost_per_minute (documented in the README). */
export const ROUTE_COSTS: Readonly<Record<CostClass, number>> = { probe: 0, read: 1, write: 2, list: 5, watch: 5, expensive: 20 };

/** Longest a request waits for its bandwidth budget before it is refused instead. */
const MAX_THROTTLE_MS = 5_000;

export type Refusal = "blocked" | "geo" | "connection_limit" | "rate_limit" | "compute" | "bandwidth";

export interface GuardModuleOptions {
  config: GuardConfig;
  /** Required when [ddos.geo] is enabled. */
  countries?: CountryLookup;
}

export class GuardModule implements ServerModule {
  readonly name = "guard";
  readonly guard: Guard;
  readonly gate: ConnectionGate;
  readonly observer: RequestObserver;
  readonly routes: readonly Route[];
  readonly blocklist: BlockList;
  readonly offenders: OffenderTracker;
  private readonly allow = new CidrSet<true>();
  private readonly proxies = new CidrSet<true>();
  private readonly requests: TokenBuckets;
  private readonly costs: TokenBuckets;
  private readonly bytes: TokenBuckets;
  private readonly connections = new Map<string, number>();
  private totalConnections = 0;
  private readonly events: ViolationAggregator;
  private readonly blockRules: ResourceInfo;
  private resources: ResourceService | undefined;
  private readonly pendingBlocks = new Set<string>();
  private metrics: { decisions: Counter<"decision" | "reason">; geo: Counter<"country">; connections: Gauge } | undefined;
  private readonly bytesSeen = new WeakMap<Socket, number>();

  constructor(
    private readonly ctx: ModuleContext,
    private readonly opts: GuardModuleOptions,
  ) {
    const { config } = opts;
    if (config.geo.enabled && !opts.countries) throw new Error("[ddos.geo] is enabled but no country database was opened");
    for (const cidr of config.allow) this.allow.add(cidr, true);
    for (const cidr of config.trustedProxies) this.proxies.add(cidr, true);
    this.requests = new TokenBuckets({ rate: config.rateLimit.requestsPerSecond, burst: config.rateLimit.burstSize });
    this.costs = new TokenBuckets({ rate: config.compute.maxCostPerMinute / 60, burst: config.compute.maxCostPerMinute });
    this.bytes = new TokenBuckets({ rate: config.bandwidth.maxBytesPerSecond, burst: config.bandwidth.maxBytesPerSecond });
    this.offenders = new OffenderTracker(config);
    this.blocklist = new BlockList({ store: ctx.store, clock: ctx.clock, logger: ctx.logger.child({ component: "guard" }) });
    this.events = new ViolationAggregator({ clock: ctx.clock, record: (event) => ctx.audit.note(event) });
    const info = ctx.registry.byPlural("blockrules");
    if (!info) throw new Error("the CRD registry has no blockrules; is crds/ complete?");
    this.blockRules = info;
    this.guard = (rc) => this.check(rc);
    this.gate = {
      admit: (socket) => this.admit(socket),
      clientError: (err, socket) => this.clientError(err, socket),
      ...(config.enabled ? { slowClientTimeoutMs: config.connection.slowLorisTimeoutSecs * 1000 } : {}),
    };
    this.observer = { failed: async (rc, error) => this.failed(rc, error) };
    this.routes = [
      {
        id: "guard.reputation",
        method: "GET",
        path: guardPaths.reputation,
        verb: "get",
        target: { group: info.group, version: info.version, resource: "reputation", isResourceRequest: false },
        access: { kind: "permission", resource: "blockrules", action: "read" },
        cost: "read",
        handler: (rc) => this.reputation(rc),
      },
    ];
  }

  registerMetrics(registry: Registry): void {
    this.metrics = {
      decisions: new Counter({ name: "claw_guard_decisions_total", help: "Requests and connections the gateway guard refused (or, in shadow mode, would have), by reason.", labelNames: ["decision", "reason"], registers: [registry] }),
      geo: new Counter({ name: "claw_guard_geo_lookups_total", help: "Country lookups of client addresses, by ISO country code (unknown for none).", labelNames: ["country"], registers: [registry] }),
      connections: new Gauge({ name: "claw_guard_connections", help: "Open client connections the guard admitted.", registers: [registry], collect: () => undefined }),
    };
  }

  async start(runtime: ModuleRuntime): Promise<void> {
    this.resources = runtime.resources;
    await this.blocklist.start();
    if (this.opts.config.shadow) this.ctx.logger.warn("[ddos] shadow = true: the guard decides and reports, and refuses nothing");
  }

  async stop(): Promise<void> {
    this.blocklist.stop();
    await this.events.stop();
  }

  /** At TCP accept: the cheapest refusals, before TLS. */
  private admit(socket: Socket): boolean {
    const peer = peerAddress(socket);
    if (this.allow.has(peer)) return this.track(socket, peer);
    const now = this.ctx.clock.now();
    const blocked = this.blocklist.blocking(peer, now);
    if (blocked && this.refuse("blocked", peer, { rule: blocked.name, reason: blocked.reason })) return false;
    // A trusted proxy carries many clients: they are judged one by one at the request, not by the proxy's address.
    if (this.proxies.has(peer)) return this.track(socket, peer);
    if (this.geoRefuses(peer) && this.refuse("geo", peer, {})) return false;
    if (!this.opts.config.enabled) return this.track(socket, peer);
    const { maxPerIp, maxTotal } = this.opts.config.connection;
    const mine = this.connections.get(peer) ?? 0;
    if (mine >= maxPerIp || this.totalConnections >= maxTotal) {
      const enforced = this.refuse("connection_limit", peer, { open: mine, maxPerIp, total: this.totalConnections, maxTotal });
      void this.violate(peer, "connection_limit");
      if (enforced) return false;
    }
    return this.track(socket, peer);
  }

  private track(socket: Socket, peer: string): true {
    this.connections.set(peer, (this.connections.get(peer) ?? 0) + 1);
    this.totalConnections++;
    this.metrics?.connections.set(this.totalConnections);
    socket.once("close", () => {
      const left = (this.connections.get(peer) ?? 1) - 1;
      if (left <= 0) this.connections.delete(peer);
      else this.connections.set(peer, left);
      this.totalConnections--;
      this.metrics?.connections.set(this.totalConnections);
    });
    return true;
  }

  /** The pipeline's first stage. */
  private async check(rc: RequestContext): Promise<void> {
    const req = rc.req;
    const peer = peerAddress(req.socket);
    const source = sourceAddress(req, this.proxies, peer);
    if (this.allow.has(source)) return;
    const now = this.ctx.clock.now();
    // A rule written after the connection was admitted, or one for the client behind a trusted proxy.
    const blocked = this.blocklist.blocking(source, now);
    if (blocked && this.refuse("blocked", source, { rule: blocked.name, reason: blocked.reason })) {
      rc.res.setHeader("Connection", "close");
      throw new ApiError(403, "Forbidden", `requests from ${source} are blocked: ${blocked.reason || "a BlockRule"} (blockrule ${blocked.name})`);
    }
    if (source !== peer && this.geoRefuses(source) && this.refuse("geo", source, {})) throw new ApiError(403, "Forbidden", `requests from ${source} are not accepted from its country ([ddos.geo])`);
    if (!this.opts.config.enabled) return;
    const rate = this.requests.take(source, now);
    // In shadow mode a violation still counts (reputation, a logged "would auto-block"); only the refusal is skipped.
    if (!rate.ok && (await this.violation("rate_limit", source, {}))) {
      throw tooManyRequests(`too many requests from ${source}: the limit is ${this.opts.config.rateLimit.requestsPerSecond} a second (burst ${this.opts.config.rateLimit.burstSize}); retry after the Retry-After seconds`, Math.max(1, Math.ceil(rate.retryAfterMs / 1000)));
    }
    const cost = ROUTE_COSTS[rc.info.route?.cost ?? "read"];
    const compute = cost > 0 ? this.costs.take(source, now, cost) : undefined;
    if (compute && !compute.ok && (await this.violation("compute", source, { cost }))) {
      throw tooManyRequests(`too much work asked by ${source}: this request costs ${cost} of ${this.opts.config.compute.maxCostPerMinute} a minute; retry after the Retry-After seconds`, Math.max(1, Math.ceil(compute.retryAfterMs / 1000)));
    }
    await this.throttle(rc, source, now);
  }

  /** Charges the bytes the connection moved since its last request; waits for the budget rather than failing. */
  private async throttle(rc: RequestContext, source: string, now: number): Promise<void> {
    const socket = rc.req.socket;
    const moved = socket.bytesRead + socket.bytesWritten;
    const charged = moved - (this.bytesSeen.get(socket) ?? 0);
    this.bytesSeen.set(socket, moved);
    const declared = Number(rc.req.headers["content-length"] ?? 0);
    const cost = Math.max(0, charged) + (Number.isFinite(declared) ? declared : 0);
    if (cost === 0) return;
    const take = this.bytes.take(source, now, Math.min(cost, this.opts.config.bandwidth.maxBytesPerSecond));
    if (take.ok || !this.refuse("bandwidth", source, { bytes: cost })) return;
    if (take.retryAfterMs > MAX_THROTTLE_MS) throw tooManyRequests(`${source} is over its bandwidth of ${this.opts.config.bandwidth.maxBytesPerSecond} bytes a second`, Math.ceil(take.retryAfterMs / 1000));
    await this.ctx.clock.sleep(take.retryAfterMs);
  }

  private geoRefuses(ip: string): boolean {
    const geo = this.opts.config.geo;
    if (!geo.enabled || !this.opts.countries) return false;
    const country = this.opts.countries.country(ip);
    this.metrics?.geo.inc({ country: country ?? "unknown" });
    // Addresses no database places (loopback, private networks) are not a country: they pass.
    if (!country) return false;
    const listed = geo.countries.includes(country);
    return geo.mode === "allowlist" ? !listed : listed;
  }

  /** Counts and records a refusal; true when it is enforced (false in shadow mode). */
  private refuse(reason: Refusal, source: string, details: Record<string, unknown>): boolean {
    const shadow = this.opts.config.shadow;
    this.metrics?.decisions.inc({ decision: shadow ? "shadow" : "refused", reason });
    const type: AuditEvent["type"] = reason === "blocked" || reason === "geo" ? "security.blocked" : "security.violation";
    void this.events.refused(`${source}|${reason}`, { type, actor: "anonymous", sourceIp: source, outcome: "denied", details: { reason, ...(shadow ? { shadow: true } : {}), ...details } });
    return !shadow;
  }

  /** A refusal that is also a violation: counted, recorded and charged to the source; true when enforced. */
  private async violation(reason: Refusal & ViolationKind, source: string, details: Record<string, unknown>): Promise<boolean> {
    const enforced = this.refuse(reason, source, details);
    await this.violate(source, reason);
    return enforced;
  }

  /** Counts a violation; resolves once an auto block it causes is written, so the next request meets it. */
  private async violate(source: string, kind: ViolationKind): Promise<void> {
    const decision = this.offenders.record(source, kind, this.ctx.clock.now());
    if (decision) await this.autoBlock(source, decision.durationMs, decision.reason);
  }

  /** Writes the auto BlockRule (enforced here at once, everywhere else from the watch). */
  private async autoBlock(source: string, durationMs: number, reason: string): Promise<void> {
    if (this.opts.config.shadow) {
      this.ctx.logger.warn({ source, durationMs, reason }, "shadow: would auto-block");
      return;
    }
    if (this.pendingBlocks.has(source) || !this.resources) return;
    this.pendingBlocks.add(source);
    const name = blockRuleName(source, "auto");
    const expiresAt = toRfc3339(this.ctx.clock.now() + durationMs);
    const spec = { cidr: source, reason, expiresAt, source: "auto" as const };
    const options = { fieldManager: "claw-guard", fieldValidation: "Strict" as const, dryRun: false };
    try {
      let written: BlockRule;
      try {
        written = (await this.resources.create(this.blockRules, { apiVersion: `${GROUP}/v1`, kind: "BlockRule", metadata: { name }, spec }, options)).object as BlockRule;
      } catch (err) {
        if (!isApiError(err) || err.code !== 409) throw err;
        written = (await this.resources.guaranteedUpdate(this.blockRules, name, { ...options, subresource: undefined }, (live) => ({ ...live, spec }))).object as BlockRule;
      }
      this.blocklist.enforceNow(written);
      this.ctx.logger.warn({ source, until: expiresAt, rule: name }, "auto-blocked a source");
    } catch (err) {
      this.ctx.logger.error({ source, err: (err as Error).message }, "could not write the auto BlockRule");
    } finally {
      this.pendingBlocks.delete(source);
    }
  }

  private clientError(err: NodeJS.ErrnoException, socket: Socket): void {
    const peer = peerAddress(socket);
    if (this.allow.has(peer) || this.proxies.has(peer)) return;
    const slow = err.code === "ERR_HTTP_REQUEST_TIMEOUT" || err.code === "ERR_HTTP_HEADERS_TIMEOUT" || err.code === "ERR_TLS_HANDSHAKE_TIMEOUT" || /timed? ?out/i.test(err.message);
    const reset = err.code === "ECONNRESET" || err.code === "EPIPE";
    if (reset) return;
    this.metrics?.decisions.inc({ decision: "closed", reason: slow ? "slow_loris" : "malformed" });
    void this.violate(peer, slow ? "slow_loris" : "malformed");
  }

  /** Failed authentication and malformed requests count against the source. */
  private async failed(rc: RequestContext, error: ApiError): Promise<void> {
    if (error.code !== 401 && error.code !== 400) return;
    const source = sourceAddress(rc.req, this.proxies);
    if (this.allow.has(source)) return;
    await this.violate(source, error.code === 401 ? "auth_failure" : "malformed");
  }

  private reputation(rc: RequestContext): void {
    const limit = Math.min(1000, Math.max(1, Number(rc.url.searchParams.get("limit") ?? 20) || 20));
    const now = this.ctx.clock.now();
    const body: ReputationList = {
      apiVersion: "security.clawbernetes.com/v1",
      kind: "ReputationList",
      server: hostname(),
      threshold: this.opts.config.reputation.threshold,
      items: this.offenders.lowest(now, limit).map(({ offender, score }) => ({
        source: offender.source,
        score: Math.round(score * 10) / 10,
        violations: { ...offender.violations } as Record<string, number>,
        lastViolation: toRfc3339(offender.lastViolation),
        blocked: this.blocklist.blocking(offender.source, now) !== undefined,
      })),
    };
    sendJson(rc.res, 200, body);
  }
}
