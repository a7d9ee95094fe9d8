// An ApiServer in-process on 127.0.0.1:0 with the audit routes mounted, two token users (an auditor who
// may read the log and an operator who may not), and an AuditLog on an in-memory store.

import pino from "pino";
import { FakeClock, type Clock } from "../../machinery/clock.js";
import { loadCrdRegistry } from "../../schema/crd-registry.js";
import { createValidator } from "../../schema/validator.js";
import { ApiServer } from "../../server/api-server.js";
import type { Authenticator } from "../../server/authentication.js";
import { versionInfo } from "../../../cmd/server/version.js";
import { WatchLimiter } from "../../server/watch-limit.js";
import { auditRoutes } from "../audit-routes.js";
import { startTestLog, type TestLog, type TestLogOptions } from "./audit-fixture.js";

export const AUDITOR_TOKEN = "test-auditor-token";
export const OPERATOR_TOKEN = "test-operator-token";

export interface AuditServer {
  url: string;
  t: TestLog;
  /** The last permission the routes asked for, and the context's resource and verb at that moment. */
  asked: { resource: string; action: string; ctxResource?: string; ctxVerb?: string }[];
  get(path: string, token?: string): Promise<Response>;
  /** Users (by name) refused audit:read from now on, as if their role were taken away. */
  revoked: Set<string>;
  stop(): Promise<void>;
}

const tokenUsers: Authenticator = {
  name: "test-tokens",
  authenticate: async (credential) =>
    credential?.secret === AUDITOR_TOKEN ? { name: "user:auditor", groups: [] } : credential?.secret === OPERATOR_TOKEN ? { name: "user:operator", groups: [] } : undefined,
};

export async function startAuditServer(opts: TestLogOptions & { clock?: Clock } = {}): Promise<AuditServer> {
  const clock = opts.clock ?? new FakeClock(Date.parse("2026-02-01T00:00:00Z"));
  const t = await startTestLog({ ...opts, clock });
  const registry = loadCrdRegistry();
  const asked: AuditServer["asked"] = [];
  const revoked = new Set<string>();
  const server = new ApiServer({
    store: t.store,
    registry,
    validator: createValidator(registry),
    clock,
    logger: pino({ level: "silent" }),
    authenticators: [tokenUsers],
    permissions: {
      decide: (user, resource, action) => {
        asked.push({ resource, action });
        return user.name === "user:auditor" && !revoked.has(user.name) ? { allowed: true, reason: "auditor" } : { allowed: false, reason: "needs audit:read" };
      },
    },
    routes: auditRoutes({ batches: t.log.batches, log: t.log, watch: { store: t.store, clock, limiter: new WatchLimiter(3) } }),
    version: versionInfo(),
  });
  const address = await server.start({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    t,
    asked,
    revoked,
    get: (path, token = AUDITOR_TOKEN) => fetch(url + path, { headers: { Authorization: `Bearer ${token}` } }),
    async stop() {
      await server.stop();
      await t.close();
    },
  };
}
