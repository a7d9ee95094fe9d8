// Escalation prevention, shared by the admission plugins and the imperative endpoints: nobody grants,
// assigns or mints a permission they do not hold themselves (their effective permissions, so an API key
// cannot do more than its scopes either). A target user is judged by the roles it has, whatever its state:
// a disabled user holds nothing now, but a credential minted for it carries its roles once it is enabled.

import { ApiError } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { UserInfo } from "../server/admission.js";
import type { RoleGrant, PermissionResolver } from "./permission-resolver.js";
import { PermissionSet } from "../rbac/permissions.js";

const LISTED = 12;

/** Throws 403 when `user` does not hold all of `wanted`; internal writes (no user) and RBAC off pass. */
export async function requireHeld(opts: {
  resolver: PermissionResolver;
  user: UserInfo | undefined;
  wanted: PermissionSet;
  /** What the user tried, after `cannot`: `create role "x"`, `assign role "admin" to user "bob"`. */
  attempt: string;
  target?: { kind: string; name: string };
  /** Who holds `wanted`, in place of "it grants": `user "bob" holds`. */
  holder?: string;
  /** Why `wanted` is what it is, when that is not plain: said in brackets after it. */
  because?: string;
}): Promise<void> {
  const { resolver, user, wanted } = opts;
  if (!user || !resolver.rbacEnabled || wanted.isEmpty()) return;
  const effective = await resolver.of(user);
  const lacking = wanted.minus(effective.permissions);
  if (lacking.isEmpty()) return;
  const names = lacking.toStrings();
  const shown = names.length > LISTED ? `${names.slice(0, LISTED).join(", ")} and ${names.length - LISTED} more` : names.join(", ");
  const via = effective.scopes ? ` with API key ${effective.keyId ?? ""}` : "";
  const because = opts.because ? ` (${opts.because})` : "";
  const rule = opts.holder ? "only someone who holds all a user holds may act as that user" : "only someone who holds a permission may grant it";
  throw new ApiError(
    403,
    "Forbidden",
    `user "${user.name}" cannot ${opts.attempt}: ${opts.holder ?? "it grants"} ${shown}${because}, which ${user.name}${via} does not hold; ${rule}`,
    { group: GROUP, ...(opts.target ? { kind: opts.target.kind, name: opts.target.name } : {}) },
  );
}

/** A user as escalation checks see it: the roles it has (existing or not) and what the existing ones grant. */
export interface HeldRoles {
  username: string;
  roles: readonly RoleGrant[];
  rolePermissions: PermissionSet;
}

/**
 * Throws 403 unless `user` holds everything a credential for `target` carries once the target is enabled:
 * its roles' permissions, limited to a key's `scopes`. A role it names that does not exist yet may later
 * be created with anything, so it counts as every permission (as assigning one does).
 */
export async function requireHoldsUser(opts: {
  resolver: PermissionResolver;
  user: UserInfo | undefined;
  target: HeldRoles;
  scopes?: PermissionSet;
  attempt: string;
  ref: { kind: string; name: string };
}): Promise<void> {
  const { target } = opts;
  const missing = target.roles.filter((r) => !r.permissions).map((r) => `"${r.name}"`);
  const reach = missing.length > 0 ? PermissionSet.all : target.rolePermissions;
  await requireHeld({
    resolver: opts.resolver,
    user: opts.user,
    wanted: opts.scopes ? reach.intersect(opts.scopes) : reach,
    attempt: opts.attempt,
    target: opts.ref,
    holder: `user "${target.username}" holds`,
    ...(missing.length > 0 ? { because: `its role ${missing.join(", ")} does not exist yet and may be created with any permission` } : {}),
  });
}
