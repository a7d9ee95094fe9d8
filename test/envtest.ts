// Our envtest: the real API server in-process on 127.0.0.1:0 with the real CRDs and a real store.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { systemClock, type Clock } from "../api/machinery/clock.js";
import { loadCrdRegistry } from "../api/schema/crd-registry.js";
import { createValidator } from "../api/schema/validator.js";
import { ApiServer } from "../api/server/api-server.js";
import { bootstrapAuthenticator, ensureBootstrapCredential } from "../api/server/bootstrap-credential.js";
import { discoveryRoutes } from "../api/server/discovery-routes.js";
import { openSqliteStore } from "../api/store/sqlite-store.js";
import type { Store } from "../api/store/store.js";
import { versionInfo } from "../cmd/server/version.js";

export interface EnvTest {
  url: string;
  token: string;
  server: ApiServer;
  store: Store;
  dataDir: string;
  /** fetch with the admin credential. */
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export async function startEnvTest(opts: { store?: Store; clock?: Clock; bookmarkIntervalMs?: number } = {}): Promise<EnvTest> {
  const dataDir = mkdtempSync(join(tmpdir(), "claw-envtest-"));
  const store = opts.store ?? (await openSqliteStore({ path: join(dataDir, "store.db") }));
  const registry = loadCrdRegistry();
  const clock = opts.clock ?? systemClock;
  const server = new ApiServer({
    store,
    registry,
    validator: createValidator(registry),
    clock,
    logger: pino({ level: "silent" }),
    authenticators: [bootstrapAuthenticator(store)],
    routes: discoveryRoutes(registry, versionInfo()),
    version: versionInfo(),
    ...(opts.bookmarkIntervalMs ? { bookmarkIntervalMs: opts.bookmarkIntervalMs } : {}),
  });
  const address = await server.start({ host: "127.0.0.1", port: 0 });
  const bootstrap = await ensureBootstrapCredential({ store, randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), now: "2026-01-01T00:00:00Z" });
  if (!bootstrap.created) throw new Error("envtest expects a fresh store");
  const url = `http://127.0.0.1:${address.port}`;
  const token = bootstrap.secret;
  return {
    url,
    token,
    server,
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
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
