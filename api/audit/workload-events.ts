// POST …/workloadevents: the runtime that starts a workload (`claw run`, the node agent) records
// workload.started and workload.stopped. The caller is the actor; the body is checked field by field,
// bounded, and never carries a value.

import { AUDIT_GROUP, auditPaths, type WorkloadEvent } from "../types/audit-api.js";
import { badRequest, invalid, type StatusCause } from "../machinery/errors.js";
import { decodeBody, readBody, sendJson } from "../server/http-io.js";
import { sourceIpOf, type RequestContext } from "../server/request-context.js";
import type { Route } from "../server/route-table.js";
import type { AuditLog } from "./audit-log.js";

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const MAX_BODY = 16 * 1024;

export function workloadEventsRoute(log: AuditLog): Route {
  return {
    id: "audit.workloadevents",
    method: "POST",
    path: auditPaths.workloadEvents,
    verb: "create",
    target: { group: AUDIT_GROUP, version: "v1", resource: "workloadevents" },
    access: { kind: "permission", resource: "workloads", action: "execute" },
    cost: "write",
    handler: (ctx) => recordWorkloadEvent(ctx, log),
  };
}

async function recordWorkloadEvent(ctx: RequestContext, log: AuditLog): Promise<void> {
  const body = decodeBody(await readBody(ctx.req, MAX_BODY), "application/json");
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the body must be a WorkloadEvent object");
  const event = body as Partial<WorkloadEvent>;
  const causes: StatusCause[] = [];
  if (event.event !== "started" && event.event !== "stopped") causes.push({ field: "event", reason: "FieldValueNotSupported", message: 'Unsupported value: supported values: "started", "stopped"' });
  const name = event.workload?.name;
  if (typeof name !== "string" || !NAME.test(name)) causes.push({ field: "workload.name", reason: "FieldValueInvalid", message: "Invalid value: a lowercase RFC 1123 subdomain such as api-server" });
  const labels = event.workload?.labels;
  if (labels !== undefined && (typeof labels !== "object" || labels === null || Object.entries(labels).length > 64 || Object.values(labels).some((v) => typeof v !== "string" || v.length > 63)))
    causes.push({ field: "workload.labels", reason: "FieldValueInvalid", message: "Invalid value: at most 64 labels of string values up to 63 characters" });
  if (event.exitCode !== undefined && !Number.isInteger(event.exitCode)) causes.push({ field: "exitCode", reason: "FieldValueInvalid", message: "Invalid value: an integer" });
  if (event.signal !== undefined && (typeof event.signal !== "string" || !/^SIG[A-Z0-9]{1,10}$/.test(event.signal))) causes.push({ field: "signal", reason: "FieldValueInvalid", message: "Invalid value: a signal name such as SIGTERM" });
  if (event.secrets !== undefined && (!Array.isArray(event.secrets) || event.secrets.length > 256 || event.secrets.some((s) => typeof s !== "string" || !NAME.test(s))))
    causes.push({ field: "secrets", reason: "FieldValueInvalid", message: "Invalid value: up to 256 secret names" });
  if (causes.length > 0) throw invalid({ group: AUDIT_GROUP, kind: "WorkloadEvent" }, causes);
  const sourceIp = sourceIpOf(ctx);
  const { seq } = await log.record({
    type: event.event === "started" ? "workload.started" : "workload.stopped",
    actor: ctx.user?.name ?? "anonymous",
    ...(sourceIp ? { sourceIp } : {}),
    resource: { group: "security.clawbernetes.com", kind: "Workload", name: name! },
    outcome: "success",
    details: {
      ...(labels ? { labels } : {}),
      ...(event.exitCode !== undefined ? { exitCode: event.exitCode } : {}),
      ...(event.signal ? { signal: event.signal } : {}),
      ...(event.secrets ? { secretNames: event.secrets } : {}),
    },
  });
  sendJson(ctx.res, 201, { seq: seq ?? null });
}
