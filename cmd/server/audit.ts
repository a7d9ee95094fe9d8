// `claw server`'s audit log: [audit] parsed, the signing key loaded (created at first start under
// storage_path), the AuditLog started, retention and SIEM shipping running, and the audit endpoints
// ready to mount. run-server.ts calls startAudit once and passes `prefixRoutes` and `healthChecks` to the
// ApiServer; the emit points use `log` (AuditLog.record / guard; see api/audit/event-builders.ts).

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { Agent } from "undici";
import { forbiddenFor } from "../../api/auth/rbac.js";
import type { PermissionResolver } from "../../api/auth/permission-resolver.js";
import { parseAuditConfig, type AuditConfig } from "../../api/audit/audit-config.js";
import { AuditLog } from "../../api/audit/audit-log.js";
import { auditRoutes, type PermissionCheck } from "../../api/audit/audit-routes.js";
import { RetentionPruner } from "../../api/audit/retention.js";
import { SiemShipper } from "../../api/audit/siem-shipper.js";
import { loadOrCreateSigningKey } from "../../api/audit/signing-key-files.js";
import type { Clock } from "../../api/machinery/clock.js";
import type { Route } from "../../api/server/api-server.js";
import type { Store } from "../../api/store/store.js";
import type { ServerConfig } from "./server-config.js";

export interface StartAuditOptions {
  config: ServerConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Where [audit.export] token_env is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The RBAC resolver (Identity.resolver): reading the log needs audit:read. Absent: any authenticated caller. */
  resolver?: PermissionResolver;
}

export interface RunningAudit {
  log: AuditLog;
  config: AuditConfig;
  /** For ApiServer `prefixRoutes`. */
  prefixRoutes: [string, Route][];
  /** For ApiServer `healthChecks`: readyz fails while a fail-closed log cannot be written. */
  healthChecks: Record<string, () => Promise<void>>;
  /** The published public key file (`claw audit verify --public-key`), when logs are signed. */
  publicKeyPath?: string;
  stop(): Promise<void>;
}

export async function startAudit(opts: StartAuditOptions): Promise<RunningAudit> {
  const { logger, clock, store } = opts;
  const env = opts.env ?? process.env;
  const config = parseAuditConfig(opts.config.sections.audit, { dataDir: opts.config.dataDir, ...(opts.config.configFile ? { source: opts.config.configFile } : {}) });
  const auditLogger = logger.child({ component: "audit" });
  // Everything that can be misconfigured is checked before anything starts.
  const exp = config.export;
  const shipping = config.enabled && exp.enabled;
  const token = shipping && exp.tokenEnv ? env[exp.tokenEnv] : undefined;
  if (shipping && exp.tokenEnv && !token) throw new Error(`[audit.export] token_env names ${exp.tokenEnv}, which is not set; export the SIEM's token in it or remove token_env`);
  let ca: Buffer | undefined;
  if (shipping && exp.caFile) {
    try {
      ca = readFileSync(exp.caFile);
    } catch (err) {
      throw new Error(`[audit.export] ca_file ${exp.caFile} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const key = config.enabled && config.signLogs ? loadOrCreateSigningKey(config.storagePath) : undefined;
  if (key?.created) auditLogger.info({ publicKey: key.publicKeyPath }, "created the audit checkpoint signing key; verify with `claw audit verify --public-key` and this file");
  const log = new AuditLog({ store, clock, config, logger: auditLogger, ...(key ? { signer: key.signer } : {}) });
  await log.start();
  if (!config.enabled) auditLogger.warn("[audit] enabled = false: no audit log is kept");

  const pruner = new RetentionPruner({ log, batches: log.batches, clock, retentionDays: config.retentionDays, signed: config.signLogs, logger: auditLogger });
  if (config.enabled) pruner.start();

  const dispatcher = ca ? new Agent({ connect: { ca } }) : undefined;
  const shipper = shipping
    ? new SiemShipper({
        store,
        batches: log.batches,
        clock,
        config: exp,
        holder: `${hostname()}/${key?.signer.keyId ?? process.pid}`,
        logger: auditLogger,
        subscribe: (wake) => log.onAppended(wake),
        ...(token ? { token } : {}),
        ...(dispatcher ? { dispatcher } : {}),
      })
    : undefined;
  shipper?.start();

  return {
    log,
    config,
    prefixRoutes: auditRoutes({ batches: log.batches, log, ...(opts.resolver ? { authorize: permissionCheck(opts.resolver) } : {}) }),
    healthChecks: config.enabled && config.failClosed ? { audit: () => log.healthCheck() } : {},
    ...(key ? { publicKeyPath: key.publicKeyPath } : {}),
    async stop() {
      pruner.stop();
      await shipper?.stop();
      await log.stop();
      await dispatcher?.close();
    },
  };
}

/** audit:read (or any other permission) checked against the caller's roles and key scopes, 403 naming what is missing. */
export function permissionCheck(resolver: PermissionResolver): PermissionCheck {
  return async (ctx, { resource, action }) => {
    if (!resolver.rbacEnabled) return;
    const user = ctx.user;
    if (!user) throw forbiddenFor({ user: { name: "anonymous", groups: [] }, action, what: resource, reason: "not authenticated" });
    const effective = await resolver.of(user);
    if (resolver.allows(effective, resource, action)) return;
    throw forbiddenFor({ user, action, what: resource, reason: resolver.decide(effective, resource, action).reason });
  };
}
