// The guide's four default roles: created at bootstrap when missing, and protected — they cannot be
// deleted and their spec cannot change (labels and annotations may), so every cluster means the same
// thing by "admin", "operator", "viewer" and "node".

import { ApiError, isAlreadyExists } from "../machinery/errors.js";
import { API_VERSION, GROUP } from "../machinery/meta.js";
import type { AdmissionPlugin } from "../server/admission.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { ResourceService } from "../server/resource-service.js";
import type { Role, RoleSpec } from "../types/role.js";
import { isDeepStrictEqual } from "node:util";

export const DEFAULT_ROLE_LABEL = "security.clawbernetes.com/default-role";

export const DEFAULT_ROLES: readonly { name: string; spec: RoleSpec }[] = [
  { name: "admin", spec: { description: "Full cluster access", permissions: ["*:*"] } },
  { name: "operator", spec: { description: "Manage workloads and view nodes", permissions: ["workloads:*", "nodes:read,list"] } },
  { name: "viewer", spec: { description: "Read-only access", permissions: ["*:read,list"] } },
  { name: "node", spec: { description: "Node agent access", permissions: ["metrics:write", "logs:write", "workloads:execute"] } },
];

const DEFAULT_NAMES = new Set(DEFAULT_ROLES.map((r) => r.name));
export const isDefaultRole = (name: string): boolean => DEFAULT_NAMES.has(name);

export const defaultRoleObject = (r: (typeof DEFAULT_ROLES)[number]): Role => ({
  apiVersion: API_VERSION,
  kind: "Role",
  metadata: { name: r.name, labels: { [DEFAULT_ROLE_LABEL]: "true" } },
  spec: structuredClone(r.spec),
});

/** Creates each default role that is missing; leaves existing ones alone. */
export async function ensureDefaultRoles(service: ResourceService, roles: ResourceInfo): Promise<string[]> {
  const created: string[] = [];
  for (const r of DEFAULT_ROLES) {
    try {
      await service.create(roles, defaultRoleObject(r), { fieldManager: "claw-server", fieldValidation: "Strict", dryRun: false });
      created.push(r.name);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  return created;
}

const protectedError = (name: string, verb: string) =>
  new ApiError(403, "Forbidden", `role "${name}" is a default role and cannot be ${verb}; create a custom role instead (claw auth role create)`, {
    group: GROUP,
    kind: "roles",
    name,
  });

/** Refuses deleting a default role and changing its spec, whoever asks. */
export const defaultRoleProtection: AdmissionPlugin = {
  name: "DefaultRoleProtection",
  admit(request) {
    if (request.info.group !== GROUP || request.info.plural !== "roles" || request.subresource) return;
    const name = (request.oldObject ?? request.object)?.metadata.name ?? "";
    if (!isDefaultRole(name)) return;
    if (request.operation === "DELETE") throw protectedError(name, "deleted");
    if (request.operation === "UPDATE" && !isDeepStrictEqual(request.oldObject?.spec, request.object?.spec)) throw protectedError(name, "changed");
  },
};
