// A SecretPolicy can release a secret to more workloads, so whoever widens one must be someone who could
// widen the Secret itself: allowing workloads or labels needs secrets:update, as changing a Secret's
// allowedWorkloads does. Denying, and narrowing, needs only the policy's own permission.

import { isDeepStrictEqual } from "node:util";
import { ApiError } from "../machinery/errors.js";
import { GROUP } from "../machinery/meta.js";
import type { AdmissionPlugin } from "../server/admission.js";
import type { PermissionDecider } from "../server/authorizer.js";
import type { SecretPolicy } from "../types/secret-policy.js";

export function policyAdmission(permissions: () => PermissionDecider): AdmissionPlugin {
  return {
    name: "SecretPolicyWidening",
    async admit(request) {
      if (request.info.group !== GROUP || request.info.plural !== "secretpolicies" || request.subresource || request.operation === "DELETE" || !request.object || !request.user) return;
      const next = request.object as SecretPolicy;
      const old = request.oldObject as SecretPolicy | undefined;
      if (!widens(old, next)) return;
      const decision = await permissions().decide(request.user, "secrets", "update");
      if (decision.allowed) return;
      throw new ApiError(
        403,
        "Forbidden",
        `user "${request.user.name}" cannot widen SecretPolicy "${next.metadata.name}": allowing workloads or labels releases secret "${next.spec?.secret ?? ""}" to more workloads, which needs secrets:update (${decision.reason})`,
        { group: GROUP, kind: "secretpolicies", name: next.metadata.name },
      );
    },
  };
}

/** Whether the policy allows anything it did not before, or now names another secret with allows. */
function widens(old: SecretPolicy | undefined, next: SecretPolicy): boolean {
  const allows = (p: SecretPolicy | undefined) => ({ workloads: [...(p?.spec?.allowWorkloads ?? [])].sort(), labels: p?.spec?.allowLabels ?? {} });
  const now = allows(next);
  if (now.workloads.length === 0 && Object.keys(now.labels).length === 0) return false;
  if (!old || old.spec?.secret !== next.spec?.secret) return true;
  const before = allows(old);
  return now.workloads.some((w) => !before.workloads.includes(w)) || !isDeepStrictEqual(now.labels, before.labels);
}
