// `claw server`: opens the store, loads the CRDs, bootstraps the admin credential and serves the API.

import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { systemClock, type Clock } from "../../api/machinery/clock.js";
import { loadCrdRegistry } from "../../api/schema/crd-registry.js";
import { createValidator } from "../../api/schema/validator.js";
import { parseAuthConfig } from "../../api/auth/auth-config.js";
import { Identity } from "../../api/auth/identity.js";
import { ApiServer } from "../../api/server/api-server.js";
import { discoveryRoutes } from "../../api/server/discovery-routes.js";
import { openEtcdStore } from "../../api/store/etcd-store.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";
import { writeAdminConfig } from "./admin-config.js";
import { requestAuditor } from "../../api/audit/request-auditor.js";
import { startAudit, type RunningAudit } from "./audit.js";
import { inProcessControllers } from "./controllers.js";
import type { ServerConfig } from "./server-config.js";
import { resolveServingTls } from "./serving-tls.js";
import { versionInfo } from "./version.js";

export interface RunningServer {
  server: ApiServer;
  /** The URL clients reach the server at. */
  url: string;
  adminConfigPath: string;
  /** The audit log: emit points call audit.log.record(…) (api/audit/event-builders.ts). */
  audit: RunningAudit;
  stop(): Promise<void>;
}

export interface RunServerOptions {
  config: ServerConfig;
  logger: Logger;
  /** Where the one-time bootstrap message goes (stdout). */
  announce: (line: string) => void;
  clock?: Clock;
  bookmarkIntervalMs?: number;
  /** Where [auth.jwt] secret_env is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Run the controller manager in this process (default true; `claw server --controllers=false`). */
  controllers?: boolean;
}

export async function runServer(opts: RunServerOptions): Promise<RunningServer> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config);
  let identity: Identity | undefined;
  let audit: RunningAudit | undefined;
  const controllers = inProcessControllers({ enabled: opts.controllers !== false, randomBytes: (n) => randomBytes(n) });
  try {
    const registry = loadCrdRegistry();
    const env = opts.env ?? process.env;
    const authConfig = parseAuthConfig(config.sections.auth, { readEnv: (name) => env[name], ...(config.configFile ? { source: config.configFile } : {}) });
    identity = new Identity({ store, registry, clock, logger, config: authConfig, randomBytes: (n) => randomBytes(n), service: () => server.service, maxBodyBytes: config.maxRequestBytes });
    const running = (audit = await startAudit({ config, store, clock, logger, env, resolver: identity.resolver }));
    const server: ApiServer = new ApiServer({
      store,
      registry,
      validator: createValidator(registry),
      clock,
      logger,
      authenticators: [...controllers.authenticators, ...identity.authenticators],
      authorizer: identity.authorizer,
      admission: identity.admission,
      publicRoutes: identity.publicRoutes,
      prefixRoutes: [...identity.prefixRoutes, ...running.prefixRoutes],
      healthChecks: running.healthChecks,
      auditor: requestAuditor(running.log, logger),
      routes: discoveryRoutes(registry, versionInfo()),
      version: versionInfo(),
      maxBodyBytes: config.maxRequestBytes,
      ...(opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
    });
    const tls = await resolveServingTls(config, clock.now());
    if (tls.note) opts.announce(tls.note);
    if (!tls.serving) logger.warn("[tls] enabled = false: serving plain HTTP; kubectl will not send credentials over it");
    await identity.start();
    const bootstrap = await identity.bootstrap();
    const address = await server.start({ ...config.listen, ...(tls.serving ? { tls: tls.serving } : {}) });
    const host = address.family === "IPv6" ? `[${clientHost(address.address)}]` : clientHost(address.address);
    const url = `${tls.serving ? "https" : "http"}://${host}:${address.port}`;
    const adminConfigPath = join(config.dataDir, "admin.conf");
    const written = writeAdminConfig({ path: adminConfigPath, server: url, ...(tls.caPem ? { caPem: tls.caPem } : {}), ...(bootstrap.created ? { token: bootstrap.secret } : {}) });
    if (bootstrap.created) opts.announce(`Bootstrap admin API key ${bootstrap.keyId} (user admin) created; client config written to ${adminConfigPath} (mode 0600). It is not shown again.`);
    else if (written) opts.announce(`Admin client config: ${adminConfigPath}`);
    else opts.announce(`The admin credential${bootstrap.keyId ? ` ${bootstrap.keyId}` : ""} was created by another server sharing this store; use the admin.conf that server wrote.`);
    logger.info({ url, store: config.etcdEndpoints.length > 0 ? "etcd" : "embedded", dataDir: config.dataDir }, "claw server listening");
    controllers.start({ server: url, tls: tls.caPem ? { ca: tls.caPem } : {}, clock, logger, registry: server.metrics.registry });
    return {
      server,
      url,
      adminConfigPath,
      audit: running,
      stop: async () => {
        await controllers.stop();
        await server.stop();
        await running.stop();
        identity?.stop();
        await store.close();
      },
    };
  } catch (err) {
    await audit?.stop();
    identity?.stop();
    await store.close();
    throw err;
  }
}

async function openStore(config: ServerConfig): Promise<Store> {
  if (config.etcdEndpoints.length > 0) return openEtcdStore({ endpoints: config.etcdEndpoints });
  return openSqliteStore({ path: join(config.dataDir, "store.db") });
}

/** A wildcard listen address is reached at loopback. */
const clientHost = (address: string): string => (address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "::1" : address);
