// `claw server`'s audit module from gateway.toml: [audit] parsed, the signing key loaded (created at first
// start under storage_path), the SIEM token read from token_env and ca_file read — everything that can
// be misconfigured is checked before anything starts.

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { Agent } from "undici";
import { parseAuditConfig } from "../../api/audit/audit-config.js";
import { parseAlertsConfig } from "../../api/audit/alerts-config.js";
import { AuditModule } from "../../api/audit/audit-module.js";
import { loadOrCreateSigningKey } from "../../api/audit/signing-key-files.js";
import type { ModuleContext } from "../../api/server/module.js";
import type { ServerConfig } from "./server-config.js";

export interface AuditModuleSetup {
  /** Builds the module once the context exists. */
  factory: (ctx: ModuleContext) => AuditModule;
  /** The published public key file (`claw audit verify --public-key`), when logs are signed. */
  publicKeyPath?: string;
  /** Closes what the setup opened (the SIEM dispatcher). */
  close(): Promise<void>;
}

export function auditModuleSetup(opts: { config: ServerConfig; env: NodeJS.ProcessEnv; onKeyCreated?: (publicKeyPath: string) => void }): AuditModuleSetup {
  const config = parseAuditConfig(opts.config.sections.audit, { dataDir: opts.config.dataDir, ...(opts.config.configFile ? { source: opts.config.configFile } : {}) });
  const alerts = parseAlertsConfig(opts.config.sections.alerts, opts.config.configFile ? { source: opts.config.configFile } : {});
  if (alerts.enabled && !config.enabled) throw new Error("[alerts] enabled = true needs the audit log ([audit] enabled = true): alerts are read from it and recorded in it");
  const exp = config.export;
  const shipping = config.enabled && exp.enabled;
  const token = shipping && exp.tokenEnv ? opts.env[exp.tokenEnv] : undefined;
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
  if (key?.created) opts.onKeyCreated?.(key.publicKeyPath);
  const dispatcher = ca ? new Agent({ connect: { ca } }) : undefined;
  return {
    factory: (ctx) =>
      new AuditModule(ctx, {
        config,
        ...(key ? { signer: key.signer } : {}),
        ...(shipping ? { shipping: { holder: `${hostname()}/${key?.signer.keyId ?? process.pid}`, ...(token ? { token } : {}), ...(dispatcher ? { dispatcher } : {}) } } : {}),
        ...(alerts.enabled ? { alerts: { config: alerts, holder: `${hostname()}/${key?.signer.keyId ?? process.pid}` } } : {}),
      }),
    ...(key ? { publicKeyPath: key.publicKeyPath } : {}),
    close: async () => {
      await dispatcher?.close();
    },
  };
}
