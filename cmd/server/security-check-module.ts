// The security check's route, as a tiny module run-server lists last: it is given every module's parsed
// configuration (only cmd/server sees them all) and reads the objects through the resource service at request
// time. `*:admin`: the answer describes the whole deployment's weaknesses, so only a full admin may read it.

import { X509Certificate } from "node:crypto";
import type { AlertsConfig } from "../../api/audit/alerts-config.js";
import type { AuditConfig } from "../../api/audit/audit-config.js";
import type { AuthConfig } from "../../api/auth/auth-config.js";
import { MfaStore } from "../../api/auth/mfa-store.js";
import type { GuardConfig } from "../../api/guard/guard-config.js";
import { serviceUnavailable } from "../../api/machinery/errors.js";
import type { KubeObject } from "../../api/machinery/meta.js";
import { sendJson } from "../../api/server/http-io.js";
import type { ModuleContext, ServerModule } from "../../api/server/module.js";
import type { ResourceService } from "../../api/server/resource-service.js";
import type { ApiKey } from "../../api/types/api-key.js";
import type { Certificate } from "../../api/types/certificate.js";
import type { Node } from "../../api/types/node.js";
import type { Role } from "../../api/types/role.js";
import type { Secret } from "../../api/types/secret.js";
import type { SecretPolicy } from "../../api/types/secret-policy.js";
import { securityCheckPath } from "../../api/types/security-check-api.js";
import type { User } from "../../api/types/user.js";
import { evaluateSecurityCheck } from "./security-check.js";
import type { SecurityCheckInput } from "./security-check-input.js";
import { jwtSecretEntropyBits } from "./security-check-setup.js";
import type { TlsPlan } from "./serving-tls.js";

export interface SecurityCheckConfig {
  auth: AuthConfig;
  tls: TlsPlan;
  audit: AuditConfig;
  guard: GuardConfig;
  alerts: AlertsConfig;
}

/** The configuration half of the input: computed once, holding no secret (only the JWT secret's size and estimate). */
export type ConfigFacts = Pick<SecurityCheckInput, "jwt" | "rbacEnabled" | "mfaRequiredForRoles" | "tls" | "audit" | "ddos" | "alerts">;

export function configFacts(config: SecurityCheckConfig): ConfigFacts {
  const { auth, tls, audit, guard, alerts } = config;
  const secret = auth.jwt.secret;
  const certPem = tls.base && "certPem" in tls.base ? tls.base.certPem : undefined;
  return {
    jwt: secret ? { source: "env", ...(auth.jwt.secretEnv ? { secretEnv: auth.jwt.secretEnv } : {}), bytes: secret.length, estimatedBits: jwtSecretEntropyBits(new TextDecoder().decode(secret)) } : { source: "store" },
    rbacEnabled: auth.rbac.enabled,
    mfaRequiredForRoles: auth.mfa?.requiredForRoles ?? [],
    tls: {
      enabled: tls.base !== undefined,
      ...(tls.base?.minVersion ? { minVersion: tls.base.minVersion } : {}),
      requireClientCert: tls.requireClientCert,
      ownCertificate: tls.ownCertificate,
      ...(typeof certPem === "string" ? { fileNotAfter: new Date(new X509Certificate(certPem).validTo).toISOString() } : {}),
    },
    audit: { enabled: audit.enabled, hashChain: audit.hashChain, signLogs: audit.signLogs, exportEnabled: audit.export.enabled, ...(audit.export.enabled ? { exportHost: hostOf(audit.export.endpoint) } : {}) },
    ddos: { enabled: guard.enabled, shadow: guard.shadow, geoEnabled: guard.geo.enabled },
    alerts: {
      enabled: audit.enabled && alerts.enabled,
      ...(alerts.webhook ? { webhookHost: hostOf(alerts.webhook) ?? "the webhook" } : {}),
      rules: Object.entries(alerts.rules).filter(([, r]) => r.enabled).map(([name]) => name),
    },
  };
}

/** Only the host: an endpoint URL may carry credentials or a token in its query. */
function hostOf(endpoint: string): string | undefined {
  try {
    return new URL(endpoint).host;
  } catch {
    return undefined;
  }
}

export function securityCheckModule(ctx: ModuleContext, config: SecurityCheckConfig): ServerModule {
  const facts = configFacts(config);
  const mfa = new MfaStore({ store: ctx.store, sealer: () => undefined });
  let resources: ResourceService | undefined;
  const list = async <T extends KubeObject>(plural: string): Promise<T[]> => {
    const info = ctx.registry.byPlural(plural);
    if (!info || !resources) throw serviceUnavailable("the security check is not started yet", 1);
    return (await resources.list(info)).items as T[];
  };
  return {
    name: "security-check",
    start: async (runtime) => {
      resources = runtime.resources;
    },
    routes: [
      {
        id: "security.check",
        method: "GET",
        path: securityCheckPath,
        verb: "get",
        target: { group: "security.clawbernetes.com", version: "v1", resource: "securitycheck", isResourceRequest: false },
        access: { kind: "permission", resource: "*", action: "admin" },
        cost: "expensive",
        handler: async (rc) => {
          const [certificates, nodes, users, apiKeys, roles, secrets, secretPolicies] = await Promise.all([
            list<Certificate>("certificates"),
            list<Node>("nodes"),
            list<User>("users"),
            list<ApiKey>("apikeys"),
            list<Role>("roles"),
            list<Secret>("secrets"),
            list<SecretPolicy>("secretpolicies"),
          ]);
          const enrolled = await Promise.all(users.map(async (u) => ((await mfa.get(u.metadata.name, u.metadata.uid ?? ""))?.record.enabled === true ? u.metadata.name : undefined)));
          const input: SecurityCheckInput = {
            ...facts,
            nowMs: ctx.clock.now(),
            mfaEnrolled: new Set(enrolled.filter((n): n is string => n !== undefined)),
            certificates,
            nodes,
            users,
            apiKeys,
            roles,
            secrets,
            secretPolicies,
          };
          sendJson(rc.res, 200, evaluateSecurityCheck(input));
        },
      },
    ],
  };
}
