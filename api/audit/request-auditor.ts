// The API server's audit hooks (api/server/request-auditor.ts) on the AuditLog: which request becomes
// which event. Resource writes are recorded before the client hears of them (fail closed: 503 when
// the entry cannot be written); rejections and session endpoints are recorded as they end.

import { AUTH_API, SECURITY_API } from "../types/auth-api.js";
import type { ApiError } from "../machinery/errors.js";
import type { KubeObject } from "../machinery/meta.js";
import type { RequestAuditor, ResourceChange } from "../server/request-auditor.js";
import type { RequestContext } from "../server/request-context.js";
import type { AuditLog } from "./audit-log.js";
import { actorOf, forbiddenEvent, loginEvent, logoutEvent, resourceChangeEvent, sourceIpOf, unauthenticatedEvent } from "./event-builders.js";
import type { AuditEvent } from "../client/audit/event.js";

type Logger = { error(obj: object, msg: string): void };

export function requestAuditor(log: AuditLog, logger: Logger): RequestAuditor {
  /** For events whose request already ended: a lost entry is logged, never turned into an error. */
  const bestEffort = async (event: AuditEvent) => {
    try {
      await log.append(event);
    } catch (err) {
      logger.error({ err: (err as Error).message, type: event.type }, "audit entry could not be written");
    }
  };
  return {
    guard: () => log.guard(),

    async changed(ctx, change) {
      const resource = { group: change.info.group, kind: change.info.kind, name: change.object.metadata.name };
      for (const event of [resourceChangeEvent(ctx, { operation: change.operation, resource, outcome: "success" }), ...securityEvents(ctx, change)]) await log.record(event);
    },

    async failed(ctx, error: ApiError) {
      const path = ctx.url.pathname;
      if (path === `${AUTH_API}/login` && error.code === 401) return bestEffort(loginEvent(ctx, { username: ctx.auditNotes?.username ?? "", outcome: "failure", reason: "bad username or password" }));
      if (error.code === 401) return bestEffort(unauthenticatedEvent(ctx, { reason: error.message }));
      if (error.code === 403) return bestEffort(forbiddenEvent(ctx, { reason: error.message }));
    },

    async finished(ctx, status) {
      if (status >= 300 || ctx.req.method !== "POST") return;
      const path = ctx.url.pathname;
      if (path === `${AUTH_API}/login`) return bestEffort(loginEvent(ctx, { username: ctx.auditNotes?.username ?? "", outcome: "success" }));
      if (path === `${AUTH_API}/logout`) return bestEffort(logoutEvent(ctx));
      const minted = /^\/apis\/security\.clawbernetes\.com\/v1\/apikeys\/([^/]+)\/(secret|rotate)$/.exec(path);
      if (minted && path.startsWith(SECURITY_API))
        return bestEffort({
          type: "auth.apikey.created",
          actor: actorOf(ctx),
          ...ip(ctx),
          resource: { group: "security.clawbernetes.com", kind: "ApiKey", name: decodeURIComponent(minted[1]!) },
          outcome: "success",
          details: { operation: minted[2] === "rotate" ? "rotated" : "minted", ...(ctx.auditNotes?.keyId ? { keyId: ctx.auditNotes.keyId } : {}) },
        });
    },
  };
}

/** The guide's security events a resource write implies: keys revoked, roles assigned, secrets created. */
function securityEvents(ctx: RequestContext, change: ResourceChange): AuditEvent[] {
  const { info, object, previous, operation } = change;
  const base = { actor: actorOf(ctx), ...ip(ctx), outcome: "success" as const };
  const resource = { group: info.group, kind: info.kind, name: object.metadata.name };
  const spec = (o: KubeObject | undefined) => (o?.spec ?? {}) as Record<string, unknown>;
  const events: AuditEvent[] = [];
  if (info.kind === "ApiKey" && operation !== "delete" && spec(object).revoked === true && spec(previous).revoked !== true)
    events.push({ type: "auth.apikey.revoked", ...base, resource, details: keyIdOf(object) });
  if (info.kind === "ApiKey" && operation === "delete" && spec(object).revoked !== true)
    events.push({ type: "auth.apikey.revoked", ...base, resource, details: { ...keyIdOf(object), reason: "deleted" } });
  if (info.kind === "User" && operation !== "delete") {
    const before = new Set((spec(previous).roles as string[] | undefined) ?? []);
    for (const role of ((spec(object).roles as string[] | undefined) ?? []).filter((r) => !before.has(r)))
      events.push({ type: "rbac.role.assigned", ...base, resource, details: { role } });
  }
  if (info.kind === "Secret" && operation === "create") events.push({ type: "secrets.created", ...base, resource });
  return events;
}

const keyIdOf = (key: KubeObject): Record<string, string> => {
  const keyId = (key.status as { keyId?: unknown } | undefined)?.keyId;
  return typeof keyId === "string" ? { keyId } : {};
};

function ip(ctx: RequestContext): { sourceIp?: string } {
  const sourceIp = sourceIpOf(ctx);
  return sourceIp ? { sourceIp } : {};
}
