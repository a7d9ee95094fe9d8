// The API server: authentication, routing to resources, discovery and health, metrics and logs.
// The constructor does no I/O; start() starts the shared watch and listens.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { Clock } from "../machinery/clock.js";
import { badRequest, pathNotFound, unauthorized } from "../machinery/errors.js";
import type { ResourceRegistry } from "../schema/resource-info.js";
import type { Validator } from "../schema/validator.js";
import type { Store } from "../store/store.js";
import type { AdmissionPlugin } from "./admission.js";
import { authenticate, type Authenticator } from "./authentication.js";
import { serveHealth } from "./health.js";
import { DEFAULT_MAX_BODY_BYTES, sendError, sendJson, sendText, toApiError } from "./http-io.js";
import { ServerMetrics } from "./metrics.js";
import type { RequestAuditor } from "./request-auditor.js";
import type { RequestContext } from "./request-context.js";
import { handleResource } from "./resource-handlers.js";
import { ResourceService } from "./resource-service.js";
import { WatchHub } from "./watch-hub.js";
import { WatchStreamer } from "./watch-stream.js";

/** A handler for an exact path (discovery, openapi, imperative endpoints). Return false to fall through. */
export type Route = (ctx: RequestContext) => Promise<void | false> | void | false;

/** Decides whether an authenticated request may proceed; throws ApiError 403 to refuse. */
export type Authorizer = (ctx: RequestContext) => Promise<void> | void;

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  platform: string;
  goVersion: string;
  compiler: string;
}

export interface ServingTls {
  certPem: string;
  keyPem: string;
  /** CA bundle to verify client certificates against (mTLS). */
  clientCaPem?: string;
  requireClientCert?: boolean;
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** OpenSSL cipher names for TLS 1.3 suites, `:`-joined. */
  cipherSuites?: string;
}

export interface ApiServerOptions {
  store: Store;
  registry: ResourceRegistry;
  validator: Validator;
  clock: Clock;
  logger: Logger;
  authenticators: readonly Authenticator[];
  authorizer?: Authorizer;
  admission?: readonly AdmissionPlugin[];
  /** Exact-path routes served after authentication (discovery, openapi, …). */
  routes?: ReadonlyMap<string, Route>;
  /** Routes by path prefix, tried in order after exact routes; they authorize their own requests. */
  prefixRoutes?: readonly [string, Route][];
  /** Exact-path routes served without authentication (login). */
  publicRoutes?: ReadonlyMap<string, Route>;
  version: VersionInfo;
  maxBodyBytes?: number;
  bookmarkIntervalMs?: number;
  metrics?: ServerMetrics;
  healthChecks?: Record<string, () => Promise<void>>;
  /** The audit log's hooks (api/server/request-auditor.ts). */
  auditor?: RequestAuditor;
}

const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);

export class ApiServer {
  readonly metrics: ServerMetrics;
  readonly service: ResourceService;
  readonly store: Store;
  private readonly hub: WatchHub;
  private readonly watches: WatchStreamer;
  private server: Server | undefined;

  constructor(private readonly opts: ApiServerOptions) {
    this.metrics = opts.metrics ?? new ServerMetrics();
    this.store = this.metrics.instrument(opts.store);
    this.service = new ResourceService({ store: this.store, validator: opts.validator, clock: opts.clock, ...(opts.admission ? { admission: opts.admission } : {}) });
    this.hub = new WatchHub({
      store: opts.store,
      prefix: "/registry/",
      clock: opts.clock,
      onRestart: (err) => opts.logger.warn({ err: err.message }, "shared store watch restarted"),
    });
    this.watches = new WatchStreamer({
      hub: this.hub,
      service: this.service,
      clock: opts.clock,
      ...(opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
      onOpen: (delta) => this.metrics.openWatches.inc(delta),
    });
  }

  /** Starts the shared watch and listens; resolves with the bound address. */
  async start(listen: { host: string; port: number; tls?: ServingTls }): Promise<AddressInfo> {
    await this.hub.start();
    const common = { requestTimeout: 0, headersTimeout: 30_000, keepAliveTimeout: 65_000 };
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = listen.tls;
    const server: Server = tls
      ? createTlsServer(
          {
            ...common,
            cert: tls.certPem,
            key: tls.keyPem,
            minVersion: tls.minVersion ?? "TLSv1.3",
            ...(tls.cipherSuites ? { ciphersuites: tls.cipherSuites } : {}),
            ...(tls.clientCaPem ? { ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: tls.requireClientCert ?? false } : {}),
          },
          handler,
        )
      : createServer(common, handler);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(listen.port, listen.host, () => (server.off("error", reject), resolve()));
    });
    return server.address() as AddressInfo;
  }

  async stop(): Promise<void> {
    this.hub.stop();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** The request handler, usable without listening (tests, embedding). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let ctx: RequestContext | undefined;
    try {
      const url = parseUrl(req);
      ctx = { req, res, url, warnings: [] };
      await this.route(ctx);
      if (this.opts.auditor) await this.opts.auditor.finished(ctx, res.statusCode);
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.code >= 500) this.opts.logger.error({ err, method: req.method, path: req.url?.split("?")[0] }, "request failed");
      if (ctx && this.opts.auditor) await this.opts.auditor.failed(ctx, apiError);
      sendError(res, apiError);
    } finally {
      this.record(ctx, req, res, started);
    }
  }

  private async route(ctx: RequestContext): Promise<void> {
    const path = ctx.url.pathname.replace(/\/+$/, "") || "/";
    const method = ctx.req.method ?? "GET";
    if (PUBLIC_PATHS.has(path) && (method === "GET" || method === "HEAD")) return this.servePublic(ctx, path);
    const open = this.opts.publicRoutes?.get(path);
    if (open && (await open(ctx)) !== false) return;
    const user = await authenticate(this.opts.authenticators, ctx.req);
    if (!user) throw unauthorized("Unauthorized: present an API key (X-API-Key or Authorization: Bearer clk_…) or a session token (Authorization: Bearer eyJ…)");
    ctx.user = user;
    if (path === "/metrics") {
      ctx.verb = "get";
      await this.opts.authorizer?.(ctx);
      return sendText(ctx.res, 200, await this.metrics.registry.metrics(), this.metrics.registry.contentType);
    }
    const exact = this.opts.routes?.get(path);
    if (exact) {
      await this.opts.authorizer?.(ctx);
      if ((await exact(ctx)) !== false) return;
    }
    for (const [prefix, route] of this.opts.prefixRoutes ?? []) {
      if (path.startsWith(prefix) && (await route(ctx)) !== false) return;
    }
    const target = this.resourceTarget(path);
    if (!target) throw pathNotFound(path);
    await this.opts.authorizer?.(ctx);
    return handleResource(
      ctx,
      { service: this.service, watches: this.watches, clock: this.opts.clock, maxBodyBytes: this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, ...(this.opts.auditor ? { auditor: this.opts.auditor } : {}) },
      target,
    );
  }

  private resourceTarget(path: string) {
    let parts: string[];
    try {
      parts = path.split("/").slice(1).map(decodeURIComponent);
    } catch {
      throw badRequest(`the request path ${JSON.stringify(path)} has a malformed percent-escape`);
    }
    if (parts[0] !== "apis" || parts.length < 4 || parts.length > 6) return undefined;
    const [, group, version, plural, name, sub] = parts;
    const info = this.opts.registry.byPlural(plural!);
    if (!info || info.group !== group || info.version !== version) return undefined;
    if (sub !== undefined && (sub !== "status" || !info.hasStatusSubresource)) return undefined;
    return { info, ...(name !== undefined ? { name } : {}), subresource: sub === "status" ? ("status" as const) : undefined };
  }

  private async servePublic(ctx: RequestContext, path: string): Promise<void> {
    ctx.verb = "get";
    if (path === "/version") return sendJson(ctx.res, 200, this.opts.version);
    const kind = path.slice(1) as "healthz" | "livez" | "readyz";
    return serveHealth(ctx, kind, { store: this.opts.store, clock: this.opts.clock, ...(this.opts.healthChecks ? { checks: this.opts.healthChecks } : {}) });
  }

  private record(ctx: RequestContext | undefined, req: IncomingMessage, res: ServerResponse, started: bigint): void {
    const labels = { verb: ctx?.verb ?? (req.method ?? "unknown").toLowerCase(), resource: ctx?.resource ?? "", subresource: ctx?.subresource ?? "" };
    const done = () => {
      this.metrics.requests.inc({ ...labels, code: String(res.statusCode) });
      if (labels.verb !== "watch") this.metrics.latency.observe({ verb: labels.verb, resource: labels.resource }, Number(process.hrtime.bigint() - started) / 1e9);
    };
    if (res.writableFinished) done();
    else res.once("close", done);
  }
}

function parseUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? "/", "http://claw.invalid");
  } catch {
    throw badRequest("the request URL could not be parsed");
  }
}
