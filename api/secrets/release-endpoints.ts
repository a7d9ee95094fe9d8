// The only way a value leaves the server:
//   POST …/secrets/{name}/release  {workload: {name, labels}}  — workloads:execute, for a workload the
//        Secret or a SecretPolicy allows (deny wins); the node agent and `claw run` call it.
//   POST …/secrets/{name}/reveal   — secrets:admin, for a person.
// Every release and every refusal is a `secrets.accessed` audit entry (never the value).

import type { AuditEvent } from "../client/audit/event.js";
import { ApiError, invalid, isNotFound, notFound } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { sendJson } from "../server/http-io.js";
import type { AuditSink } from "../server/module.js";
import { sourceIpOf, type RequestContext } from "../server/request-context.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Secret } from "../types/secret.js";
import type { SecretPolicy } from "../types/secret-policy.js";
import { decideAccess } from "../rbac/secret-access-decision.js";
import type { Keyring } from "./keyring.js";
import { isSealedValueError, openSealedValue } from "./sealing.js";
import { workloadOf } from "./workload-body.js";

export interface ReleaseDeps {
  resources: () => ResourceService;
  secrets: ResourceInfo;
  policies: ResourceInfo;
  keyring: Keyring;
  audit: AuditSink;
  maxBodyBytes: number;
}

/** What a release answers: the value (UTF-8) and the version it is. */
export interface ReleasedValue {
  apiVersion: "security.clawbernetes.com/v1";
  kind: "SecretValue";
  name: string;
  version: number;
  value: string;
}

export async function releaseToWorkload(ctx: RequestContext, deps: ReleaseDeps): Promise<void> {
  const name = ctx.info.name ?? "";
  const workload = await workloadOf(ctx, deps.maxBodyBytes);
  const base = accessEvent(ctx, name, { workload: workload.name });
  const secret = await getOrUndefined(deps, name);
  const policies = ((await deps.resources().list(deps.policies)).items as SecretPolicy[]).filter((p) => p.spec?.secret === name);
  const decision = decideAccess({ secretName: name, secret, policies, workload });
  if (!decision.allowed) {
    await deps.audit.record({ ...base, outcome: "denied", details: { ...base.details, reason: decision.message } });
    ctx.refusalRecorded = true;
    if (decision.reason === "InvalidWorkload") throw invalid({ group: GROUP, kind: "SecretRelease", name }, decision.causes);
    throw new ApiError(403, "Forbidden", `workload "${workload.name}" may not read secret "${name}": ${decision.message}`, { group: GROUP, kind: "secrets", name });
  }
  await release(ctx, deps, secret!, base);
}

export async function revealToPerson(ctx: RequestContext, deps: ReleaseDeps): Promise<void> {
  const name = ctx.info.name ?? "";
  const secret = await getOrUndefined(deps, name);
  if (!secret) throw notFound({ group: GROUP, kind: "Secret", resource: "secrets", name });
  await release(ctx, deps, secret, accessEvent(ctx, name, { via: "reveal" }));
}

async function release(ctx: RequestContext, deps: ReleaseDeps, secret: Secret, base: AuditEvent): Promise<void> {
  const name = secret.metadata.name;
  const sealed = secret.spec?.sealed;
  if (!sealed) throw new ApiError(409, "Conflict", `secret "${name}" has no value yet; set spec.valueFrom.value or spec.valueFrom.generate`, { group: GROUP, kind: "secrets", name });
  let value: Uint8Array;
  try {
    value = openSealedValue(sealed, { name, version: sealed.version }, deps.keyring);
  } catch (err) {
    if (!isSealedValueError(err)) throw err;
    await deps.audit.record({ ...base, outcome: "failure", details: { ...base.details, version: sealed.version, reason: err.message } });
    throw new ApiError(500, "InternalError", `the stored value of secret "${name}" cannot be opened (${err.reason}): it was altered in the store or sealed under a key this server does not hold`);
  }
  // Recorded before the value leaves: a release the log does not know about never happens.
  await deps.audit.record({ ...base, outcome: "success", details: { ...base.details, version: sealed.version, keyId: sealed.keyId } });
  const body: ReleasedValue = { apiVersion: "security.clawbernetes.com/v1", kind: "SecretValue", name, version: sealed.version, value: new TextDecoder().decode(value) };
  sendJson(ctx.res, 200, body, { "Cache-Control": "no-store" });
}

async function getOrUndefined(deps: ReleaseDeps, name: string): Promise<Secret | undefined> {
  try {
    return (await deps.resources().get(deps.secrets, name)) as Secret;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function accessEvent(ctx: RequestContext, name: string, details: Record<string, string>): AuditEvent {
  const user = ctx.user;
  const sourceIp = sourceIpOf(ctx);
  return {
    type: "secrets.accessed",
    actor: user?.name ?? "anonymous",
    ...(sourceIp ? { sourceIp } : {}),
    resource: { group: GROUP, kind: "Secret", name },
    outcome: "success",
    details: { ...details, ...(user?.authentication?.keyId ? { keyId: user.authentication.keyId } : {}) },
  };
}
