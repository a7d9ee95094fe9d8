// Our envtest: the real API server in-process on 127.0.0.1:0 with the real CRDs and a real store.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { systemClock, type Clock } from "../api/machinery/clock.js";
import { loadCrdRegistry } from "../api/schema/crd-registry.js";
import { createValidator } from "../api/schema/validator.js";
import { defaultAuthConfig, type AuthConfig } from "../api/auth/auth-config.js";
import { Identity } from "../api/auth/identity.js";
import type { ScryptParams } from "../api/auth/passwords.js";
import { ApiServer } from "../api/server/api-server.js";
import { discoveryRoutes } from "../api/server/discovery-routes.js";
import { openSqliteStore } from "../api/store/sqlite-store.js";
import type { Store } from "../api/store/store.js";
import { versionInfo } from "../cmd/server/version.js";

export interface EnvTest {
  url: string;
  token: string;
  server: ApiServer;
  identity: Identity;
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
  auth?: { jwt?: Partial<AuthConfig["jwt"]>; rbac?: Partial<AuthConfig["rbac"]> };
  passwordParams?: ScryptParams;
}

export async function startEnvTest(opts: EnvTestOptions = {}): Promise<EnvTest> {
  const dataDir = mkdtempSync(join(tmpdir(), "claw-envtest-"));
  const store = opts.sharedStore ?? opts.store ?? (await openSqliteStore({ path: join(dataDir, "store.db") }));
  const registry = loadCrdRegistry();
  const clock = opts.clock ?? systemClock;
  const logger = pino({ level: "silent" });
  const defaults = defaultAuthConfig();
  const config: AuthConfig = { jwt: { ...defaults.jwt, ...opts.auth?.jwt }, rbac: { ...defaults.rbac, ...opts.auth?.rbac } };
  const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  const identity: Identity = new Identity({
    store,
    registry,
    clock,
    logger,
    config,
    randomBytes,
    service: () => server.service,
    ...(opts.passwordParams ? { passwordParams: opts.passwordParams } : {}),
  });
  const server: ApiServer = new ApiServer({
    store,
    registry,
    validator: createValidator(registry),
    clock,
    logger,
    authenticators: identity.authenticators,
    authorizer: identity.authorizer,
    admission: identity.admission,
    publicRoutes: identity.publicRoutes,
    prefixRoutes: identity.prefixRoutes,
    routes: discoveryRoutes(registry, versionInfo()),
    version: versionInfo(),
    ...(opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
  });
  await identity.start();
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
      await server.stop();
      identity.stop();
      if (!opts.sharedStore) await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
