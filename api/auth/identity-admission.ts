// Admission for Role, User and ApiKey writes: permission grammar with field paths (422), the rules that
// keep an ApiKey's history honest, default_role, and escalation prevention (403):
//   Role    create/widen: the writer holds every permission the role gains.
//   User    roles added: the writer holds every permission of each; a missing role only by a `*:*` holder.
//           Re-enabled: the writer holds all the user's roles grant, since its credentials work again.
//           status.sessionsRevokedAt never moves back, which would revive the sessions it revoked.
//   ApiKey  scopes added: the writer holds them; owner fixed; revocation final; rotation never goes back.
//           Expiry later or removed: the writer holds all the key carries (its owner's roles ∩ its scopes).

import { ApiError, invalid, type StatusCause } from "../machinery/errors.js";
import { GROUP, type KubeObject } from "../machinery/meta.js";
import type { AdmissionPlugin, AdmissionRequest } from "../server/admission.js";
import { refOf } from "../server/resource-service.js";
import type { ApiKey } from "../types/api-key.js";
import type { Role } from "../types/role.js";
import type { User } from "../types/user.js";
import type { RbacConfig } from "./auth-config.js";
import { requireHeld, requireHoldsUser } from "./escalation.js";
import { apiKeyExpiry, type IdentityRecords } from "./identity-records.js";
import type { PermissionResolver } from "./permission-resolver.js";
import { PermissionSet, permissionError } from "../rbac/permissions.js";

export interface IdentityAdmissionDeps {
  resolver: PermissionResolver;
  records: IdentityRecords;
  rbac: RbacConfig;
}

/** Causes for each entry of a permission list that does not parse, at `field[i]`. */
export function permissionCauses(texts: readonly unknown[] | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  (texts ?? []).forEach((text, i) => {
    const why = typeof text === "string" ? permissionError(text) : "must be a string resource:action";
    if (why) causes.push({ field: `${field}[${i}]`, reason: "FieldValueInvalid", message: `Invalid value: ${why}` });
  });
  return causes;
}

const parsed = (texts: readonly string[] | undefined) => PermissionSet.parse(texts ?? []);

export function identityAdmission(deps: IdentityAdmissionDeps): AdmissionPlugin {
  return {
    name: "Identity",
    async admit(request) {
      if (request.info.group !== GROUP || request.operation === "DELETE" || !request.object) return;
      if (request.subresource) return request.info.plural === "users" ? admitUserStatus(request) : undefined;
      switch (request.info.plural) {
        case "roles":
          return admitRole(deps, request);
        case "users":
          return admitUser(deps, request);
        case "apikeys":
          return admitApiKey(deps, request);
        default:
          return;
      }
    },
  };
}

async function admitRole(deps: IdentityAdmissionDeps, request: AdmissionRequest): Promise<void> {
  const role = request.object as Role;
  const causes = permissionCauses(role.spec?.permissions, "spec.permissions");
  if (causes.length > 0) throw invalid(refOf(request.info, role.metadata.name), causes);
  const before = request.oldObject ? parsed((request.oldObject as Role).spec?.permissions) : PermissionSet.empty;
  const gained = parsed(role.spec?.permissions).minus(before);
  const verb = request.operation === "CREATE" ? "create" : "widen";
  await requireHeld({ resolver: deps.resolver, user: request.user, wanted: gained, attempt: `${verb} role "${role.metadata.name}"`, target: { kind: "roles", name: role.metadata.name } });
}

async function admitUser(deps: IdentityAdmissionDeps, request: AdmissionRequest): Promise<KubeObject | void> {
  let user = request.object as User;
  const name = user.metadata.name;
  const { rbac } = deps;
  let defaulted = false;
  if (request.operation === "CREATE" && !rbac.requireRoleAssignment && rbac.defaultRole && (user.spec?.roles ?? []).length === 0) {
    user = { ...user, spec: { ...user.spec, roles: [rbac.defaultRole] } };
    defaulted = true;
  }
  const before = new Set(request.oldObject ? ((request.oldObject as User).spec?.roles ?? []) : []);
  const added = (user.spec?.roles ?? []).filter((r) => !before.has(r));
  for (const roleName of added) {
    const role = await deps.records.roles.get(roleName);
    if (!role) {
      await requireAll(deps, request, roleName, name);
      continue;
    }
    await requireHeld({ resolver: deps.resolver, user: request.user, wanted: role.permissions, attempt: `assign role "${roleName}" to user "${name}"`, target: { kind: "users", name } });
  }
  if ((request.oldObject as User | undefined)?.spec?.disabled === true && user.spec?.disabled !== true) {
    const { roles, rolePermissions } = await deps.resolver.grantOf(user.spec?.roles ?? []);
    const target = { username: name, roles, rolePermissions };
    await requireHoldsUser({ resolver: deps.resolver, user: request.user, target, attempt: `re-enable user "${name}"`, ref: { kind: "users", name } });
  }
  if (defaulted) return user;
}

/** A role that does not exist yet could later be created with anything: only a holder of everything assigns it. */
async function requireAll(deps: IdentityAdmissionDeps, request: AdmissionRequest, roleName: string, userName: string): Promise<void> {
  const caller = request.user;
  if (!caller || !deps.resolver.rbacEnabled) return;
  if ((await deps.resolver.of(caller)).permissions.covers(PermissionSet.all)) return;
  throw new ApiError(
    403,
    "Forbidden",
    `user "${caller.name}" cannot assign role "${roleName}" to user "${userName}": the role does not exist yet, and only someone who holds every permission (*:*) may assign a role before it exists; create the role first`,
    { group: GROUP, kind: "users", name: userName },
  );
}

/** Refuses moving status.sessionsRevokedAt back or dropping it: the tokens it revoked would work again. */
function admitUserStatus(request: AdmissionRequest): void {
  const before = (request.oldObject as User | undefined)?.status?.sessionsRevokedAt;
  if (!before) return;
  const user = request.object as User;
  const after = user.status?.sessionsRevokedAt;
  if (after !== undefined && !(Date.parse(after) < Date.parse(before))) return;
  throw invalid(refOf(request.info, user.metadata.name), [
    { field: "status.sessionsRevokedAt", reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(after ?? null)}: must not move back from ${before}, which would bring back the sessions revoked then` },
  ]);
}

async function admitApiKey(deps: IdentityAdmissionDeps, request: AdmissionRequest): Promise<void> {
  const key = request.object as ApiKey;
  const name = key.metadata.name;
  const causes = permissionCauses(key.spec?.scopes, "spec.scopes");
  const old = request.oldObject as ApiKey | undefined;
  if (old) {
    if (old.spec?.owner !== key.spec?.owner)
      causes.push({ field: "spec.owner", reason: "FieldValueInvalid", message: `Invalid value: "${key.spec?.owner ?? ""}": field is immutable; create a new key for another owner` });
    if (old.spec?.revoked === true && key.spec?.revoked !== true)
      causes.push({ field: "spec.revoked", reason: "FieldValueInvalid", message: "Invalid value: false: a revoked key cannot be restored; create a new key" });
    if ((key.spec?.rotation ?? 0) < (old.spec?.rotation ?? 0))
      causes.push({ field: "spec.rotation", reason: "FieldValueInvalid", message: `Invalid value: ${key.spec?.rotation ?? 0}: must not decrease (it is ${old.spec?.rotation ?? 0})` });
  }
  if (causes.length > 0) throw invalid(refOf(request.info, name), causes);
  const gained = parsed(key.spec?.scopes).minus(old ? parsed(old.spec?.scopes) : PermissionSet.empty);
  await requireHeld({
    resolver: deps.resolver,
    user: request.user,
    wanted: gained,
    attempt: `${old ? "widen" : "create"} API key "${name}"`,
    target: { kind: "apikeys", name },
  });
  if (old && outlives(key, old)) {
    const target = await deps.resolver.heldBy(key.spec?.owner ?? "");
    await requireHoldsUser({ resolver: deps.resolver, user: request.user, target, scopes: parsed(key.spec?.scopes), attempt: `extend the life of API key "${name}"`, ref: { kind: "apikeys", name } });
  }
}

/** Whether an update lets a key live longer than before (a later expiry, or none): it revives a leaked expired secret. */
function outlives(key: ApiKey, old: ApiKey): boolean {
  const before = apiKeyExpiry(old);
  if (before === undefined) return false;
  const after = apiKeyExpiry({ ...key, metadata: { ...key.metadata, creationTimestamp: old.metadata.creationTimestamp } });
  return after === undefined || !(after <= before);
}
