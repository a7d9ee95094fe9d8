// The identity module's PermissionDecider for the pipeline's authorizer: a caller's effective permissions
// (their roles, narrowed by an API key's scopes) decide `resource:action`, with the reason a person reads.
// The watched caches answer without I/O on the hot path.

import { requireHoldsUser } from "./escalation.js";
import type { UserInfo } from "../server/admission.js";
import type { Decision, PermissionDecider } from "../server/authorizer.js";
import type { Action, Resource } from "../rbac/permissions.js";
import type { PermissionResolver } from "./permission-resolver.js";

export function rbacDecider(resolver: PermissionResolver): PermissionDecider {
  return {
    async decide(user: UserInfo, resource: Resource | "*", action: Action): Promise<Decision> {
      if (!resolver.rbacEnabled) return { allowed: true, reason: "RBAC is off on this server ([auth.rbac] enabled = false)" };
      if (resolver.cachedPermissions(user)?.allows(resource, action) === true) return { allowed: true, reason: `granted ${resource}:${action}` };
      return resolver.decide(await resolver.of(user), resource, action);
    },
    async requireHolds(user, target, attempt, ref) {
      const held = "user" in target ? await resolver.heldBy(target.user) : { username: `the identity with roles ${target.roles.join(", ")}`, ...(await resolver.grantOf(target.roles)) };
      await requireHoldsUser({ resolver, user, target: held, attempt, ref });
    },
  };
}
