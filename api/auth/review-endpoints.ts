// GET whoami and POST accessreviews (claw auth can-i): what the caller, or with `spec.user` another user
// (needs users:admin), may do.

import { toRfc3339 } from "../machinery/clock.js";
import { ApiError, type StatusCause } from "../machinery/errors.js";
import { sendJson } from "../server/http-io.js";
import type { RequestContext } from "../server/request-context.js";
import type { AccessReview, WhoAmI } from "../types/auth-api.js";
import type { AuthEndpointDeps } from "./endpoint-deps.js";
import { callerOf, readJsonObject } from "./endpoint-io.js";
import { ACTIONS, isAction, isResource, PermissionSet, RESOURCES, WILDCARD, type Action, type Resource } from "../rbac/permissions.js";

const AUTH_GROUP = "auth.clawbernetes.com";

export async function whoami(ctx: RequestContext, deps: AuthEndpointDeps): Promise<void> {
  const caller = callerOf(ctx);
  const effective = await deps.resolver.of(caller);
  const auth = caller.authentication;
  const permissions = deps.resolver.rbacEnabled ? effective.permissions : PermissionSet.all;
  const body: WhoAmI = {
    username: caller.name,
    method: auth?.method ?? "apikey",
    ...(auth?.keyId ? { keyId: auth.keyId } : {}),
    roles: caller.roles ? [...caller.roles] : (effective.user?.roles ?? []),
    permissions: permissions.toStrings(),
    ...(auth?.expiresAt ? { expiresAt: auth.expiresAt } : auth?.tokenExpiresAtMs ? { expiresAt: toRfc3339(auth.tokenExpiresAtMs) } : {}),
  };
  sendJson(ctx.res, 200, body);
}

function parseReview(body: Record<string, unknown>): { resource: Resource | "*"; action: Action | "*"; user?: string } {
  const spec = body.spec;
  const causes: StatusCause[] = [];
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    causes.push({ field: "spec", reason: "FieldValueRequired", message: "Required value: spec with resource and action" });
    throw invalidReview(causes);
  }
  const { resource, action, user } = spec as Record<string, unknown>;
  if (typeof resource !== "string" || (resource !== WILDCARD && !isResource(resource)))
    causes.push({ field: "spec.resource", reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(resource ?? null)}: supported values: *, ${RESOURCES.join(", ")}` });
  if (typeof action !== "string" || (action !== WILDCARD && !isAction(action)))
    causes.push({ field: "spec.action", reason: "FieldValueNotSupported", message: `Unsupported value: ${JSON.stringify(action ?? null)}: supported values: *, ${ACTIONS.join(", ")}` });
  if (user !== undefined && user !== null && (typeof user !== "string" || user === ""))
    causes.push({ field: "spec.user", reason: "FieldValueInvalid", message: "Invalid value: must be a user name" });
  if (causes.length > 0) throw invalidReview(causes);
  return { resource: resource as Resource | "*", action: action as Action | "*", ...(typeof user === "string" ? { user } : {}) };
}

const invalidReview = (causes: StatusCause[]) =>
  new ApiError(422, "Invalid", `AccessReview.${AUTH_GROUP} is invalid: ${causes.map((c) => `${c.field ?? ""}: ${c.message}`).join(", ")}`, {
    group: AUTH_GROUP,
    kind: "accessreviews",
    causes,
  });

export async function accessReview(ctx: RequestContext, deps: AuthEndpointDeps): Promise<void> {
  const caller = callerOf(ctx);
  const body = await readJsonObject(ctx, { maxBytes: deps.maxBodyBytes });
  const spec = parseReview(body);
  const { resolver } = deps;
  let status: NonNullable<AccessReview["status"]>;
  if (spec.user === undefined || spec.user === caller.name) {
    status = resolver.decide(await resolver.of(caller), spec.resource, spec.action);
  } else {
    await ctx.authorize({ resource: "users", action: "admin" });
    const other = await resolver.ofUser(spec.user);
    status = !other.user && resolver.rbacEnabled ? { allowed: false, reason: `user "${spec.user}" does not exist` } : resolver.decide(other, spec.resource, spec.action);
  }
  const review: AccessReview = {
    apiVersion: "auth.clawbernetes.com/v1",
    kind: "AccessReview",
    spec: { resource: spec.resource, action: spec.action, ...(spec.user !== undefined ? { user: spec.user } : {}) },
    status,
  };
  sendJson(ctx.res, 201, review);
}
