// The API server: one pipeline over one route table. Every request goes, in this order, through
//   requestInfo   what it asks, decided once from method, path and the route table (pure, before anything else)
//   guard         the gateway guard's slot (connection limits, blocklist, cost); empty until that module lands
//   authenticate  the modules' authenticators; a public route needs none
//   authorize     the route's declared access, always — no route authorizes itself
//   route         the handler
// RequestInfo comes first because the guard charges by the route's cost class and a refused request's
// audit entry names what was asked. The constructor does no I/O; start() starts the shared watch and listens.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Logger } from "pino";
import type { Clock } from "../machinery/clock.js";
import { badRequest, methodNotAllowed, pathNotFound, unauthorized } from "../machinery/errors.js";
import type { ResourceRegistry } from "../schema/resource-info.js";
import type { Validator } from "../schema/validator.js";
import type { Store } from "../store/store.js";
import type { AdmissionPlugin } from "./admission.js";
import { authenticate, type Authenticator } from "./authentication.js";
import { authorizePermission, authorizeRoute, denyAll, type PermissionDecider } from "./authorizer.js";
import { discoveryRoutes } from "./discovery-routes.js";
import { isClientAbort } from "./client-abort.js";
import { clientErrorHandler } from "./client-error.js";
import { serveHealth } from "./health.js";
import { DEFAULT_MAX_BODY_BYTES, sendError, sendJson, sendText, toApiError } from "./http-io.js";
import { ServerMetrics } from "./metrics.js";
import type { AuditSink, RequestObserver } from "./module.js";
import type { ConnectionGate, Guard } from "./gate.js";
import { unauditedSink } from "./module.js";
import type { RequestContext } from "./request-context.js";
import { resolveRequestInfo, type RequestInfo } from "./request-info.js";
import { resourceRoutes } from "./resource-routes.js";
import { plainRestRoutes } from "./plain-rest-routes.js";
import { ResourceService } from "./resource-service.js";
import { RouteTable, type Route } from "./route-table.js";
import { WatchHub } from "./watch-hub.js";
import { WatchLimiter } from "./watch-limit.js";
import { WatchStreamer } from "./watch-stream.js";

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
  /** CRLs (PEM) client certificates are checked against at the handshake. */
  crlPem?: readonly string[];
  /** Serials (lowercase hex) whose live connections are closed when this material is swapped in. */
  revokedSerials?: ReadonlySet<string>;
}

export type { ConnectionGate, Guard } from "./gate.js";

export interface ApiServerOptions {
  store: Store;
  registry: ResourceRegistry;
  validator: Validator;
  clock: Clock;
  logger: Logger;
  authenticators: readonly Authenticator[];
  /** Decides `resource:action` for a caller (the identity module); grants nothing when absent. */
  permissions?: PermissionDecider;
  admission?: readonly AdmissionPlugin[];
  /** The modules' routes; resource, discovery, health, version and metrics routes are the server's own. */
  routes?: readonly Route[];
  guard?: Guard;
  gate?: ConnectionGate;
  /** Commits writes with their audit entries (the audit module); plain store transactions when absent. */
  audit?: AuditSink;
  observers?: readonly RequestObserver[];
  version: VersionInfo;
  maxBodyBytes?: number;
  bookmarkIntervalMs?: number;
  maxWatchesPerIdentity?: number;
  metrics?: ServerMetrics;
  healthChecks?: Record<string, () => Promise<void>>;
}

export class ApiServer {
  readonly metrics: ServerMetrics;
  readonly service: ResourceService;
  readonly store: Store;
  readonly routes: RouteTable;
  private readonly hub: WatchHub;
  private readonly watches: WatchStreamer;
  private readonly decider: PermissionDecider;
  private server: Server | undefined;
  /** The TLS material when client certificates are requested, and the connections that presented one. */
  private tls: ServingTls | undefined;
  private readonly clientSockets = new Set<TLSSocket>();

  constructor(private readonly opts: ApiServerOptions) {
    this.metrics = opts.metrics ?? new ServerMetrics();
    this.store = this.metrics.instrument(opts.store);
    this.decider = opts.permissions ?? denyAll;
    const audit = opts.audit ?? unauditedSink(this.store);
    this.service = new ResourceService({ store: this.store, validator: opts.validator, clock: opts.clock, commit: (write) => audit.commit(write), ...(opts.admission ? { admission: opts.admission } : {}) });
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
      limiter: new WatchLimiter(opts.maxWatchesPerIdentity),
      ...(opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
      onOpen: (delta) => this.metrics.openWatches.inc(delta),
    });
    const handlerDeps = { service: this.service, watches: this.watches, clock: opts.clock, maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, audit };
    const resources = resourceRoutes(opts.registry.all(), () => handlerDeps);
    this.routes = new RouteTable([
      ...this.ownRoutes(),
      ...discoveryRoutes(opts.registry),
      ...resources,
      ...plainRestRoutes(opts.registry.all(), resources),
      ...(opts.routes ?? []),
    ]);
  }

  /** Starts the shared watch and listens; resolves with the bound address. */
  async start(listen: { host: string; port: number; tls?: ServingTls }): Promise<AddressInfo> {
    await this.hub.start();
    const slow = this.opts.gate?.slowClientTimeoutMs;
    const common = {
      requestTimeout: slow ?? 0,
      headersTimeout: slow ?? 30_000,
      keepAliveTimeout: 65_000,
      // Node checks the header and request deadlines on this interval: short enough that a slow client is cut off close to its deadline.
      connectionsCheckingInterval: slow ? Math.min(1_000, Math.max(100, Math.floor(slow / 4))) : 30_000,
      ...(slow ? { handshakeTimeout: slow } : {}),
    };
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = listen.tls;
    const server: Server = tls ? createTlsServer({ ...common, ...secureContextOptions(tls), ...(tls.clientCaPem ? { requestCert: true, rejectUnauthorized: false } : {}) }, handler) : createServer(common, handler);
    if (tls?.clientCaPem) {
      this.tls = tls;
      // OpenSSL verifies the client's certificate (CA, dates, usage, CRLs) at the handshake; a connection
      // that presented one which failed is closed before a byte of HTTP is read. One that presented none
      // goes on, so the pipeline can tell it how to get one when [tls] require_client_cert is set.
      server.on("secureConnection", (socket: TLSSocket) => {
        const peer = socket.getPeerCertificate();
        const presented = peer && Object.keys(peer).length > 0;
        if (presented && !socket.authorized) {
          this.opts.logger.info({ remote: socket.remoteAddress, reason: socket.authorizationError?.toString() }, "refused a client certificate at the handshake");
          socket.destroy();
          return;
        }
        if (presented) {
          this.clientSockets.add(socket);
          socket.once("close", () => this.clientSockets.delete(socket));
        }
      });
    }
    this.server = server;
    const gate = this.opts.gate;
    // Without a listener Node answers too, but closes at once: a client still sending gets a reset, not the answer.
    server.on("clientError", clientErrorHandler({ clock: this.opts.clock, ...(gate?.clientError ? { onFirst: (err, socket) => gate.clientError?.(err, socket) } : {}) }));
    if (gate) {
      server.on("connection", (socket: Socket) => {
        if (!gate.admit(socket)) socket.destroy();
      });
      if (tls) server.on("tlsClientError", (err: NodeJS.ErrnoException, socket: Socket) => gate.clientError?.(err, socket));
    }
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(listen.port, listen.host, () => (server.off("error", reject), resolve()));
    });
    return server.address() as AddressInfo;
  }

  /**
   * Swaps in new TLS material (a renewed serving certificate, new client CAs or CRLs) for the next
   * handshakes, and closes the live connections of clients whose certificate is now revoked.
   */
  updateTls(tls: ServingTls): void {
    const server = this.server as (Server & { setSecureContext?: (o: object) => void }) | undefined;
    if (!server?.setSecureContext) return;
    server.setSecureContext(secureContextOptions(tls));
    if (this.tls) this.tls = { ...this.tls, ...tls };
    const revoked = tls.revokedSerials;
    if (!revoked || revoked.size === 0) return;
    for (const socket of this.clientSockets) {
      const serial = socket.getPeerCertificate().serialNumber?.toLowerCase().replace(/^0+/, "");
      if (serial && [...revoked].some((r) => r.replace(/^0+/, "") === serial)) {
        this.opts.logger.info({ remote: socket.remoteAddress, serial }, "closed a connection whose client certificate was revoked");
        socket.destroy();
      }
    }
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

  /** The listening HTTP(S) server once started, for diagnostics (benchmarks watch its connections). */
  get listener(): Server | undefined {
    return this.server;
  }

  /** The request handler, usable without listening (tests, embedding). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let ctx: RequestContext | undefined;
    try {
      const url = parseUrl(req);
      const info = resolveRequestInfo(this.routes, { method: req.method ?? "GET", url });
      ctx = this.context(req, res, url, info);
      await this.pipeline(ctx);
    } catch (err) {
      const apiError = toApiError(err);
      if (isClientAbort(err)) this.opts.logger.debug({ method: req.method, path: req.url?.split("?")[0] }, "the client went away mid-request");
      // A resourceVersion from the future is the client's condition (504 as kube answers), not a server failure.
      else if (apiError.code >= 500 && apiError.reason !== "Timeout") this.opts.logger.error({ err, method: req.method, path: req.url?.split("?")[0] }, "request failed");
      if (ctx) for (const observer of this.opts.observers ?? []) await observer.failed(ctx, apiError);
      sendError(res, apiError);
    } finally {
      this.record(ctx, req, res, started);
    }
  }

  private async pipeline(ctx: RequestContext): Promise<void> {
    const { info } = ctx;
    await this.opts.guard?.(ctx);
    const route = info.route;
    if (route?.access.kind !== "public") {
      if (this.tls?.requireClientCert && !(ctx.req.socket as TLSSocket).authorized)
        throw unauthorized(
          "Unauthorized: this server requires a client certificate ([tls] require_client_cert = true) and the connection presented none. Use the admin.conf the server wrote (it carries the bootstrap admin's client certificate), or have an admin issue you one (claw pki issue node --name NAME for a node) and set client-certificate and client-key in your kubeconfig",
        );
      const user = await authenticate(this.opts.authenticators, ctx.req);
      if (!user) throw unauthorized("Unauthorized: present an API key (X-API-Key or Authorization: Bearer clk_…) or a session token (Authorization: Bearer eyJ…)");
      ctx.user = user;
    }
    if (!route) {
      if (info.allowedMethods) throw methodNotAllowed(ctx.req.method ?? "", info.path);
      throw pathNotFound(info.path);
    }
    const { grant } = await authorizeRoute({ access: route.access, info, user: ctx.user, decider: this.decider });
    if (grant) ctx.grant = grant;
    await route.handler(ctx);
  }

  private context(req: IncomingMessage, res: ServerResponse, url: URL, info: RequestInfo): RequestContext {
    const ctx: RequestContext = {
      req,
      res,
      url,
      info,
      warnings: [],
      authorize: (permission) => authorizePermission({ permission, info, user: ctx.user, decider: this.decider, verb: permission.action === "create" ? "create" : info.verb }),
    };
    return ctx;
  }

  /** Health and version (public), metrics (metrics:read). */
  private ownRoutes(): Route[] {
    const health = (kind: "healthz" | "livez" | "readyz"): Route => ({
      id: `health.${kind}`,
      method: "GET",
      path: `/${kind}`,
      verb: "get",
      access: { kind: "public" },
      cost: "probe",
      handler: (ctx) => serveHealth(ctx, kind, { store: this.opts.store, clock: this.opts.clock, ...(this.opts.healthChecks ? { checks: this.opts.healthChecks } : {}) }),
    });
    return [
      health("healthz"),
      health("livez"),
      health("readyz"),
      { id: "version", method: "GET", path: "/version", verb: "get", access: { kind: "public" }, cost: "probe", handler: (ctx) => sendJson(ctx.res, 200, this.opts.version) },
      {
        id: "metrics",
        method: "GET",
        path: "/metrics",
        verb: "get",
        target: { resource: "metrics" },
        // Admins only, as before: metrics name every resource and user agent.
        access: { kind: "permission", resource: "*", action: "admin" },
        cost: "read",
        handler: async (ctx) => sendText(ctx.res, 200, await this.metrics.registry.metrics(), this.metrics.registry.contentType),
      },
    ];
  }

  private record(ctx: RequestContext | undefined, req: IncomingMessage, res: ServerResponse, started: bigint): void {
    const info = ctx?.info;
    const labels = { verb: info?.verb ?? (req.method ?? "unknown").toLowerCase(), resource: info?.resource ?? "", subresource: info?.subresource ?? "" };
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

/** The options of a secure context: what setSecureContext can swap without a restart. */
function secureContextOptions(tls: ServingTls) {
  return {
    cert: tls.certPem,
    key: tls.keyPem,
    minVersion: tls.minVersion ?? "TLSv1.3",
    // Node takes TLS 1.3 suites (TLS_…) in `ciphers`; it has no `ciphersuites` option and would ignore one.
    ...(tls.cipherSuites ? { ciphers: tls.cipherSuites } : {}),
    ...(tls.clientCaPem ? { ca: tls.clientCaPem } : {}),
    ...(tls.crlPem && tls.crlPem.length > 0 ? { crl: [...tls.crlPem] } : {}),
  } as const;
}
