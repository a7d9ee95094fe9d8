// Our envtest: the real API server in-process on 127.0.0.1:0 with the real CRDs and a real store.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock, type Clock } from "../api/machinery/clock.js";
import { loadCrdRegistry } from "../api/schema/crd-registry.js";
import { defaultAuthConfig, type AuthConfig } from "../api/auth/auth-config.js";
import { Identity } from "../api/auth/identity.js";
import type { ScryptParams } from "../api/auth/passwords.js";
import { AuditModule } from "../api/audit/audit-module.js";
import { defaultAuditConfig, type AuditConfig } from "../api/audit/audit-config.js";
import { defaultAlertsConfig, type AlertsConfig } from "../api/audit/alerts-config.js";
import type { ApiServer } from "../api/server/api-server.js";
import type { SystemRule } from "../api/server/authorizer.js";
import type { ModuleFactory } from "../api/server/module.js";
import { Keyring } from "../api/secrets/keyring.js";
import { SecretsModule } from "../api/secrets/secrets-module.js";
import { PkiModule } from "../api/pki/pki-module.js";
import { GuardModule, type GuardModuleOptions } from "../api/guard/guard-module.js";
import { NodesModule, type NodesModuleOptions } from "../api/nodes/nodes-module.js";
import { openSqliteStore } from "../api/store/sqlite-store.js";
import type { Store } from "../api/store/store.js";
import { assembleServer } from "../cmd/server/assemble-server.js";
import { inProcessCredential } from "../cmd/server/controllers.js";
import type { Credential } from "../api/client/credential.js";

export interface EnvTest {
  url: string;
  token: string;
  server: ApiServer;
  identity: Identity;
  /** The PKI module (its CRL publisher, the root CA). */
  pki: PkiModule;
  /** The gateway guard, when started with `guard`. */
  guard?: GuardModule;
  /** The nodes module (tokens, joins, sessions, the mesh). */
  nodes: NodesModule;
  /** With controllerIdentity: the credential that authenticates as system:controller-manager. */
  controllerCredential?: Credential;
  /** The master keyring the secrets module seals with. */
  keyring: Keyring;
  /** The audit module, unless the envtest was started with `audit: false`. */
  audit?: AuditModule;
  store: Store;
  dataDir: string;
  /** fetch with the admin credential. */
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export interface EnvTestOptions {
  store?: Store;
  /** Joins a store another envtest bootstrapped (a second server): `token` is "", and stop() leaves the store open. */
  sharedStore?: Store;
  clock?: Clock;
  bookmarkIntervalMs?: number;
  /** [auth] settings; the defaults of gateway.toml otherwise (RBAC on, a store-generated JWT secret). */
  auth?: { jwt?: Partial<AuthConfig["jwt"]>; rbac?: Partial<AuthConfig["rbac"]>; mfa?: AuthConfig["mfa"] };
  passwordParams?: ScryptParams;
  /** [audit] settings (unsigned by default, so no key files); `false` leaves the audit module out. */
  audit?: false | ((config: AuditConfig) => void);
  /** Turns [alerts] on, with these changes to its defaults (webhook, thresholds). */
  alerts?: (config: AlertsConfig) => void;
  maxWatchesPerIdentity?: number;
  /** Also accept the in-process controllers' credential (system:controller-manager), as `claw server` does. */
  controllerIdentity?: boolean | { rules: readonly SystemRule[] };
  /** The secrets module's keyring; one fixed test key by default. */
  keyring?: Keyring;
  /** Runs the gateway guard with this [ddos] configuration (none by default). */
  guard?: GuardModuleOptions;
  /** The nodes module's [nodes] configuration and gateway name. */
  nodes?: NodesModuleOptions;
}

export async function startEnvTest(opts: EnvTestOptions = {}): Promise<EnvTest> {
  const dataDir = mkdtempSync(join(tmpdir(), "claw-envtest-"));
  const store = opts.sharedStore ?? opts.store ?? (await openSqliteStore({ path: join(dataDir, "store.db") }));
  const clock = opts.clock ?? systemClock;
  const defaults = defaultAuthConfig();
  const config: AuthConfig = { jwt: { ...defaults.jwt, ...opts.auth?.jwt }, rbac: { ...defaults.rbac, ...opts.auth?.rbac }, ...(opts.auth?.mfa ? { mfa: opts.auth.mfa } : {}) };
  let identity: Identity | undefined;
  let audit: AuditModule | undefined;
  const modules: ModuleFactory[] = [];
  if (opts.audit !== false) {
    const auditConfig = { ...defaultAuditConfig(dataDir), signLogs: false };
    opts.audit?.(auditConfig);
    const alerts = opts.alerts ? { ...defaultAlertsConfig(), enabled: true } : undefined;
    if (alerts) opts.alerts?.(alerts);
    modules.push((ctx) => (audit = new AuditModule(ctx, { config: auditConfig, ...(alerts ? { alerts: { config: alerts, holder: "envtest" } } : {}) })));
  }
  // One fixed test key by default, so envtests sharing a store (two servers) agree on it.
  const keyring = opts.keyring ?? new Keyring([new Uint8Array(32).fill(7)]);
  modules.push((ctx) => new SecretsModule(ctx, { keyring, keySource: "the envtest's keyring" }));
  let pki: PkiModule | undefined;
  modules.push((ctx) => (pki = new PkiModule(ctx)));
  modules.push((ctx) => (identity = new Identity(ctx, { config, ...(opts.passwordParams ? { passwordParams: opts.passwordParams } : {}) })));
  let guard: GuardModule | undefined;
  if (opts.guard) {
    const guardOptions = opts.guard;
    modules.push((ctx) => (guard = new GuardModule(ctx, guardOptions)));
  }
  let nodes: NodesModule | undefined;
  modules.push((ctx) => (nodes = new NodesModule(ctx, opts.nodes)));
  const controllers = opts.controllerIdentity ? inProcessCredential({ randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), ...(typeof opts.controllerIdentity === "object" ? { rules: opts.controllerIdentity.rules } : {}) }) : undefined;
  const assembled = assembleServer({
    store,
    registry: loadCrdRegistry(),
    clock,
    random: { bytes: (n) => crypto.getRandomValues(new Uint8Array(n)) },
    modules,
    ...(controllers ? { authenticators: [controllers.authenticator] } : {}),
    ...(opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
    ...(opts.maxWatchesPerIdentity ? { maxWatchesPerIdentity: opts.maxWatchesPerIdentity } : {}),
  });
  const server = assembled.server;
  if (!identity || !pki || !nodes) throw new Error("envtest: the identity, pki and nodes modules were not built");
  const pkiModule = pki;
  const nodesModule = nodes;
  try {
    await assembled.startModules();
  } catch (err) {
    await assembled.stop();
    if (!opts.sharedStore) await store.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const bootstrap = await identity.bootstrap();
  if (!bootstrap.created && !opts.sharedStore) throw new Error("envtest expects a fresh store");
  const address = await server.start({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${address.port}`;
  const token = bootstrap.created ? bootstrap.secret : "";
  return {
    url,
    token,
    server,
    identity,
    pki: pkiModule,
    ...(guard ? { guard } : {}),
    nodes: nodesModule,
    keyring,
    ...(controllers ? { controllerCredential: controllers.credential } : {}),
    ...(audit ? { audit } : {}),
    store,
    dataDir,
    request(path, init = {}) {
      const { json, headers, ...rest } = init;
      return fetch(url + path, {
        ...rest,
        headers: { Authorization: `Bearer ${token}`, ...(json !== undefined ? { "Content-Type": "application/json" } : {}), ...(headers as Record<string, string>) },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
    async stop() {
      await assembled.stop();
      if (!opts.sharedStore) await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
