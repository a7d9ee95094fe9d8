// Escalation prevention, shared by the admission plugins and the imperative endpoints: nobody grants,
// assigns or mints a permission they do not hold themselves (their effective permissions, so an API key
// cannot do more than its scopes either).

import { ApiError } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { UserInfo } from "../server/admission.js";
import type { PermissionResolver } from "./permission-resolver.js";
import type { PermissionSet } from "../rbac/permissions.js";

const LISTED = 12;

/** Throws 403 when `user` does not hold all of `wanted`; internal writes (no user) and RBAC off pass. */
export async function requireHeld(opts: {
  resolver: PermissionResolver;
  user: UserInfo | undefined;
  wanted: PermissionSet;
  /** What the user tried, after `cannot`: `create role "x"`, `assign role "admin" to user "bob"`. */
  attempt: string;
  target?: { kind: string; name: string };
}): Promise<void> {
  const { resolver, user, wanted } = opts;
  if (!user || !resolver.rbacEnabled || wanted.isEmpty()) return;
  const effective = await resolver.of(user);
  const lacking = wanted.minus(effective.permissions);
  if (lacking.isEmpty()) return;
  const names = lacking.toStrings();
  const shown = names.length > LISTED ? `${names.slice(0, LISTED).join(", ")} and ${names.length - LISTED} more` : names.join(", ");
  const via = effective.scopes ? ` with API key ${effective.keyId ?? ""}` : "";
  throw new ApiError(
    403,
    "Forbidden",
    `user "${user.name}" cannot ${opts.attempt}: it grants ${shown}, which ${user.name}${via} does not hold; only someone who holds a permission may grant it`,
    { group: GROUP, ...(opts.target ? { kind: opts.target.kind, name: opts.target.name } : {}) },
  );
}
