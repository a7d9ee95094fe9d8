// The audit entries a resource write implies, committed in the write's own transaction: resource.created
// / updated / deleted for every write of a claw resource, and the guide's security events it carries
// (keys revoked, roles assigned, secrets created). Other groups (coordination leases) are not security
// resources and are not recorded.

import type { AuditEvent } from "../client/audit/event.js";
import { GROUP, type KubeObject } from "../machinery/meta.js";
import type { ResourceChange } from "../server/resource-change.js";
import { CREDENTIAL_ACTIVITY_MANAGER } from "../types/auth-api.js";
import { NODE_SESSION_MANAGER } from "../types/nodes-api.js";

const TYPES = { create: "resource.created", update: "resource.updated", delete: "resource.deleted" } as const;

export function changeEvents(change: ResourceChange): AuditEvent[] {
  const { info, object, previous, operation, requester } = change;
  if (info.group !== GROUP) return [];
  const user = requester?.user;
  const auth = user?.authentication;
  const base = {
    actor: user?.name ?? "system:server",
    ...(requester?.sourceIp ? { sourceIp: requester.sourceIp } : {}),
    outcome: "success" as const,
  };
  const resource = { group: info.group, kind: info.kind, name: object.metadata.name };
  // A session's status writes are telemetry (heartbeats): only the connection's start and end are events.
  if (info.kind === "Node" && change.subresource === "status" && requester?.fieldManager === NODE_SESSION_MANAGER) return nodeEvents(change, base, resource);
  // lastLoginTime / lastUsedTime are telemetry too; the login itself is auth.login.
  if (change.subresource === "status" && requester?.fieldManager === CREDENTIAL_ACTIVITY_MANAGER) return [];
  const authDetails = auth ? { authMethod: auth.method, ...(auth.keyId ? { keyId: auth.keyId } : {}) } : {};
  const events: AuditEvent[] = [
    {
      type: TYPES[operation],
      ...base,
      resource,
      details: { ...(change.subresource ? { subresource: change.subresource } : {}), ...(requester?.fieldManager ? { fieldManager: requester.fieldManager } : {}), ...authDetails },
    },
  ];
  const spec = (o: KubeObject | undefined) => (o?.spec ?? {}) as Record<string, unknown>;
  if (info.kind === "ApiKey" && operation !== "delete" && spec(object).revoked === true && spec(previous).revoked !== true)
    events.push({ type: "auth.apikey.revoked", ...base, resource, details: keyIdOf(object) });
  if (info.kind === "ApiKey" && operation === "delete" && spec(object).revoked !== true) events.push({ type: "auth.apikey.revoked", ...base, resource, details: { ...keyIdOf(object), reason: "deleted" } });
  if (info.kind === "User" && operation !== "delete") {
    const before = new Set((spec(previous).roles as string[] | undefined) ?? []);
    for (const role of ((spec(object).roles as string[] | undefined) ?? []).filter((r) => !before.has(r))) events.push({ type: "rbac.role.assigned", ...base, resource, details: { role } });
  }
  if (info.kind === "Secret" && operation === "create") events.push({ type: "secrets.created", ...base, resource });
  if (info.kind === "Certificate") events.push(...certificateEvents(change, base, resource));
  if (info.kind === "Node" && change.subresource === "status") events.push(...nodeEvents(change, base, resource));
  if (info.kind === "BlockRule" && operation !== "delete" && JSON.stringify(spec(object)) !== JSON.stringify(spec(previous)) && change.subresource === undefined) {
    const { cidr, reason, source, duration, expiresAt } = spec(object) as Record<string, unknown>;
    events.push({ type: "security.blocked", ...base, resource, details: { cidr: cidr ?? "", source: source ?? "manual", ...(reason ? { reason } : {}), ...(duration ? { duration } : {}), ...(expiresAt ? { expiresAt } : {}) } });
  }
  return events;
}

const keyIdOf = (key: KubeObject): Record<string, string> => {
  const keyId = (key.status as { keyId?: unknown } | undefined)?.keyId;
  return typeof keyId === "string" ? { keyId } : {};
};

/** A new status revision is an issuance (revision 1) or a renewal; spec.revoked turning true, or deleting an issued certificate, a revocation. */
function certificateEvents(change: ResourceChange, base: Pick<AuditEvent, "actor" | "sourceIp" | "outcome">, resource: NonNullable<AuditEvent["resource"]>): AuditEvent[] {
  const { object, previous, operation } = change;
  const status = (o: KubeObject | undefined) => (o?.status ?? {}) as { revision?: number; serialNumber?: string; notAfter?: string; conditions?: { type: string; reason?: string }[] };
  const spec = (o: KubeObject | undefined) => (o?.spec ?? {}) as { revoked?: boolean; revocationReason?: string };
  const now = status(object);
  if (operation !== "delete" && (now.revision ?? 0) > (status(previous).revision ?? 0)) {
    const trigger = status(previous).conditions?.find((c) => c.type === "Issuing")?.reason;
    return [{ type: now.revision === 1 ? "certificates.issued" : "certificates.renewed", ...base, resource, details: { serialNumber: now.serialNumber ?? "", revision: now.revision ?? 0, notAfter: now.notAfter ?? "", ...(trigger ? { trigger } : {}) } }];
  }
  if (operation === "update" && spec(object).revoked === true && spec(previous).revoked !== true)
    return [{ type: "certificates.revoked", ...base, resource, details: { serialNumber: now.serialNumber ?? "", reason: spec(object).revocationReason ?? "unspecified" } }];
  if (operation === "delete" && spec(object).revoked !== true && now.serialNumber)
    return [{ type: "certificates.revoked", ...base, resource, details: { serialNumber: now.serialNumber, reason: "cessationOfOperation", via: "deleted" } }];
  return [];
}

/** status.connected turning true is node.connected; turning false, node.disconnected with the reason. */
function nodeEvents(change: ResourceChange, base: Pick<AuditEvent, "actor" | "sourceIp" | "outcome">, resource: NonNullable<AuditEvent["resource"]>): AuditEvent[] {
  type Seen = { connected?: boolean; sessionId?: string; gateway?: string; disconnectReason?: string; agentVersion?: string; certificate?: { serialNumber?: string } };
  const now = (change.object.status ?? {}) as Seen;
  const before = (change.previous?.status ?? {}) as Seen;
  const session = { ...(now.sessionId ? { sessionId: now.sessionId } : {}), ...(now.gateway ? { gateway: now.gateway } : {}) };
  if (now.connected === true && (before.connected !== true || before.sessionId !== now.sessionId))
    return [{ type: "node.connected", ...base, resource, details: { ...session, ...(now.agentVersion ? { agentVersion: now.agentVersion } : {}), ...(now.certificate?.serialNumber ? { serialNumber: now.certificate.serialNumber } : {}) } }];
  if (now.connected !== true && before.connected === true) return [{ type: "node.disconnected", ...base, resource, details: { ...session, reason: now.disconnectReason ?? "Unknown" } }];
  return [];
}
