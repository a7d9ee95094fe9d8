// `claw server`: opens the store, assembles the server with its modules (audit, identity), bootstraps
// the admin credential and serves the API, with the controller manager in-process by default.

import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { AuditModule } from "../../api/audit/audit-module.js";
import { parseAuthConfig } from "../../api/auth/auth-config.js";
import { Identity } from "../../api/auth/identity.js";
import { systemClock, type Clock } from "../../api/machinery/clock.js";
import { loadCrdRegistry } from "../../api/schema/crd-registry.js";
import type { ApiServer } from "../../api/server/api-server.js";
import { openEtcdStore } from "../../api/store/etcd-store.js";
import { openSqliteStore } from "../../api/store/sqlite-store.js";
import type { Store } from "../../api/store/store.js";
import { writeAdminConfig } from "./admin-config.js";
import { assembleServer, type AssembledServer } from "./assemble-server.js";
import { auditModuleSetup, type AuditModuleSetup } from "./audit.js";
import { secretsModuleSetup } from "./secrets.js";
import { controllerSetFor, inProcessControllers } from "./controllers.js";
import { controllersConfigOf, type ControllersConfig } from "./controllers-config.js";
import { configLocation, type ServerConfig } from "./server-config.js";
import { planServingTls } from "./serving-tls.js";
import { PkiModule } from "../../api/pki/pki-module.js";
import { ROOT_CA_NAME } from "../../api/types/pki-api.js";
import { GuardModule } from "../../api/guard/guard-module.js";
import { parseGuardConfig } from "../../api/guard/guard-config-parser.js";
import { openCountryLookup } from "../../api/guard/country-lookup.js";
import { hostname, networkInterfaces } from "node:os";
import { NodesModule } from "../../api/nodes/nodes-module.js";
import { parseNodesConfig } from "../../api/nodes/nodes-config.js";
import { dashboardRoutes } from "../dashboard/dashboard-routes.js";
import { storeSnapshotModule } from "./store-snapshot-module.js";
import { parseAlertsConfig } from "../../api/audit/alerts-config.js";
import { parseAuditConfig } from "../../api/audit/audit-config.js";
import { securityCheckModule } from "./security-check-module.js";
import { startStoreMaintenance } from "./store-maintenance.js";
import { clusterStatusModule } from "./cluster-status-module.js";
import { ServerRegistration } from "./server-registration.js";
import { versionInfo } from "./version.js";

export interface RunningServer {
  server: ApiServer;
  /** The URL clients reach the server at. */
  url: string;
  adminConfigPath: string;
  /** The audit module (its log, routes and sink). */
  audit: AuditModule;
  identity: Identity;
  /** The published audit public key file, when logs are signed. */
  auditPublicKeyPath?: string;
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
  /** Run the controller manager in this process: `--controllers`, over gateway.toml's [controllers] enabled (default true). */
  controllers?: boolean;
  /** [controllers] as the caller already read it (`claw server` does, to refuse a bad one before starting); read from config otherwise. */
  controllersConfig?: ControllersConfig;
}

export async function runServer(opts: RunServerOptions): Promise<RunningServer> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const env = opts.env ?? process.env;
  const authConfig = parseAuthConfig(config.sections.auth, { readEnv: (name) => env[name], ...(config.configFile ? { source: config.configFile } : {}) });
  let auditSetup: AuditModuleSetup | undefined;
  const store = await openStore(config);
  const compactor = startStoreMaintenance({ store, config: config.storeMaintenance, clock, logger });
  let assembled: AssembledServer | undefined;
  let registration: ServerRegistration | undefined;
  const controllersConfig = opts.controllersConfig ?? controllersConfigOf(config, opts.controllers);
  const controllers = inProcessControllers({ enabled: controllersConfig.enabled, randomBytes: (n) => randomBytes(n), set: controllerSetFor(authConfig), ...(controllersConfig.workers !== undefined ? { workers: controllersConfig.workers } : {}) });
  try {
    auditSetup = auditModuleSetup({ config, env, onKeyCreated: (path) => logger.info({ publicKey: path }, "created the audit checkpoint signing key; verify with `claw audit verify --public-key` and this file") });
    const audit = auditSetup.factory;
    const secrets = secretsModuleSetup({ config, env, random: (n) => randomBytes(n) });
    if (secrets.note) opts.announce(secrets.note);
    let auditModule: AuditModule | undefined;
    let identity: Identity | undefined;
    let pki: PkiModule | undefined;
    const tlsPlan = planServingTls(config);
    const guardConfig = parseGuardConfig(config.sections.ddos, configLocation(config));
    const nodesConfig = parseNodesConfig(config.sections.nodes, configLocation(config));
    const auditConfig = parseAuditConfig(config.sections.audit, { dataDir: config.dataDir, ...(config.configFile ? { source: config.configFile } : {}) });
    const alertsConfig = parseAlertsConfig(config.sections.alerts, config.configFile ? { source: config.configFile } : {});
    const serverId = `${hostname()}_${randomBytes(4).toString("hex")}`;
    const countries = guardConfig.geo.enabled ? await openCountryLookup({ ...(guardConfig.geo.database ? { database: guardConfig.geo.database } : {}) }) : undefined;
    assembled = assembleServer({
      store,
      registry: loadCrdRegistry(),
      clock,
      logger,
      random: { bytes: (n) => randomBytes(n) },
      modules: [(ctx) => (auditModule = audit(ctx)), secrets.factory, (ctx) => (pki = new PkiModule(ctx, { pkiDir: join(config.dataDir, "pki") })), (ctx) => (identity = new Identity(ctx, { config: authConfig })), (ctx) => new GuardModule(ctx, { config: guardConfig, ...(countries ? { countries } : {}) }), (ctx) => new NodesModule(ctx, { config: nodesConfig }), () => ({ name: "dashboard", routes: dashboardRoutes() }), (ctx) => securityCheckModule(ctx, { auth: authConfig, tls: tlsPlan, audit: auditConfig, guard: guardConfig, alerts: alertsConfig }), (ctx) => storeSnapshotModule(ctx, { dataDir: config.dataDir }), (ctx) => clusterStatusModule(ctx, { selfId: serverId, backend: config.etcdEndpoints.length > 0 ? "etcd" : "sqlite", auditLog: () => auditModule?.log, exportEnabled: auditConfig.enabled && auditConfig.export.enabled })],
      authenticators: controllers.authenticators,
      maxBodyBytes: config.maxRequestBytes,
      ...(opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
      ...(config.maxWatchesPerIdentity ? { maxWatchesPerIdentity: config.maxWatchesPerIdentity } : {}),
    });
    if (!auditModule || !identity || !pki) throw new Error("the server was assembled without its audit, pki and identity modules");
    const server = assembled.server;
    if (!tlsPlan.base) logger.warn("[tls] enabled = false: serving plain HTTP; kubectl will not send credentials over it");
    if (!auditModule.log.enabled) logger.warn("[audit] enabled = false: no audit log is kept");
    if (!authConfig.rbac.enabled) logger.warn("[auth.rbac] enabled = false: every authenticated caller may do everything; use this only for tests");
    await assembled.startModules();
    const bootstrap = await identity.bootstrap();
    const serving = tlsPlan.base ? await pki.servingTls({ base: tlsPlan.base, hosts: servingHosts(config.listen.host), servingName: servingCertificateName(config.listen.host) }) : undefined;
    if (pki.createdRootCa) opts.announce(`Created the root CA ${ROOT_CA_NAME} (kept in the store, its key sealed) and a serving certificate; clients trust ${join(config.dataDir, "pki", "ca.crt")}`);
    const address = await server.start({ ...config.listen, ...(serving ? { tls: serving } : {}) });
    const host = address.family === "IPv6" ? `[${clientHost(address.address)}]` : clientHost(address.address);
    const url = `${serving ? "https" : "http"}://${host}:${address.port}`;
    // Clients trust the root CAs for a server serving its own certificate, and the [tls] ca for one serving files.
    let caPem = !serving ? undefined : tlsPlan.ownCertificate ? serving.trustPem : tlsPlan.base?.clientCaPem;
    const adminConfigPath = join(config.dataDir, "admin.conf");
    if (serving) {
      const live = server;
      await pki.follow((material) => {
        live.updateTls(material);
        // A renewed root CA: admin.conf and the in-process controllers trust it from now on.
        if (tlsPlan.ownCertificate && material.trustPem !== caPem) {
          caPem = material.trustPem;
          writeAdminConfig({ path: adminConfigPath, server: url, caPem });
        }
      });
    }
    // Requiring client certificates must never lock out the admin: admin.conf carries one.
    const clientCert = tlsPlan.requireClientCert ? await adminClientCertificate(pki, tlsPlan, logger) : undefined;
    const written = writeAdminConfig({ path: adminConfigPath, server: url, ...(caPem ? { caPem } : {}), ...(bootstrap.created ? { token: bootstrap.secret } : {}), ...(clientCert ? { clientCert } : {}) });
    if (bootstrap.created) opts.announce(`Bootstrap admin API key ${bootstrap.keyId} (user admin) created; client config written to ${adminConfigPath} (mode 0600). It is not shown again.`);
    else if (written) opts.announce(`Admin client config: ${adminConfigPath}`);
    else opts.announce(`The admin credential${bootstrap.keyId ? ` ${bootstrap.keyId}` : ""} was created by another server sharing this store; use the admin.conf that server wrote.`);
    registration = new ServerRegistration({ store, clock, logger, id: serverId, version: versionInfo().gitVersion, url });
    await registration.start();
    logger.info({ url, store: config.etcdEndpoints.length > 0 ? "etcd" : "embedded", dataDir: config.dataDir }, "claw server listening");
    controllers.start({ server: url, tls: { ...(caPem ? { caSource: () => caPem ?? "" } : {}), ...(clientCert ? { cert: clientCert.certificatePem, key: clientCert.keyPem } : {}) }, clock, logger, registry: server.metrics.registry, identity: serverId });
    const running = assembled;
    const setup = auditSetup;
    const registered = registration;
    return {
      server,
      url,
      adminConfigPath,
      audit: auditModule,
      identity,
      ...(setup.publicKeyPath ? { auditPublicKeyPath: setup.publicKeyPath } : {}),
      stop: async () => {
        await controllers.stop();
        await registered.stop();
        await running.stop();
        await setup.close();
        await compactor?.stop();
        await store.close();
      },
    };
  } catch (err) {
    await registration?.stop();
    await assembled?.stop().catch(() => undefined);
    await auditSetup?.close();
    await compactor?.stop();
    await store.close();
    throw err;
  }
}

async function openStore(config: ServerConfig): Promise<Store> {
  if (config.etcdEndpoints.length > 0) return openEtcdStore({ endpoints: config.etcdEndpoints });
  return openSqliteStore({ path: join(config.dataDir, "store.db") });
}

/** Each listen address gets its serving Certificate: servers on one host and address share one. */
function servingCertificateName(listenHost: string): string {
  const slug = `${hostname()}-${listenHost}`.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return `claw-server-${slug || "local"}`;
}

/** The bootstrap admin's client certificate, when the root CA is among the client CAs the server trusts. */
async function adminClientCertificate(pki: PkiModule, plan: ReturnType<typeof planServingTls>, logger: Logger): Promise<{ certificatePem: string; keyPem: string } | undefined> {
  const root = await pki.rootCaPem();
  const trusted = plan.base?.clientCaPem;
  if (trusted && !trusted.replace(/\s+/g, "").includes(root.replace(/\s+/g, ""))) {
    logger.warn("[tls] require_client_cert is set and [tls] ca is not claw's root CA, so the server cannot issue the admin a client certificate; admin.conf has none");
    return undefined;
  }
  return pki.clientCertificateFor("admin", "bootstrap-admin-client");
}

/** A wildcard listen address is reached at loopback. */
/**
 * The names the serving certificate carries: the listen address and the host name, and when the server listens
 * on every address (0.0.0.0 or ::), each address of the machine's interfaces, so node agents and clients that
 * reach it by IP verify it too.
 */
function servingHosts(listenHost: string): string[] {
  const wildcard = listenHost === "0.0.0.0" || listenHost === "::";
  const interfaces = wildcard ? Object.values(networkInterfaces()).flatMap((list) => list ?? []).filter((a) => !a.internal && !a.address.startsWith("fe80:") && (listenHost === "::" || a.family === "IPv4")).map((a) => a.address) : [];
  return [listenHost, hostname(), ...interfaces];
}

const clientHost = (address: string): string => (address === "0.0.0.0" ? "127.0.0.1" : address === "::" ? "::1" : address);
