// The 409 an apply gets when it would change fields another manager owns, worded exactly as kube-apiserver.

import { ApiError, type StatusCause } from "../../machinery/errors.js";
import { GROUP } from "../../machinery/meta.js";
import type { FieldSet } from "./field-set.js";
import { printManager, type ManagerEntry } from "./managers.js";
import { describePath } from "./path-element.js";

export interface ManagerConflict {
  manager: ManagerEntry;
  fields: FieldSet;
}

/**
 * `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using security.clawbernetes.com/v1: .spec.description`,
 * with one FieldManagerConflict cause per field.
 */
export function applyConflictError(conflicts: readonly ManagerConflict[], object: { kind: string; name?: string }): ApiError {
  const byManager = conflicts
    .map((c) => ({ who: printManager(c.manager), paths: c.fields.paths().map(describePath) }))
    .sort((a, b) => (a.who < b.who ? -1 : a.who > b.who ? 1 : 0));
  const causes: StatusCause[] = byManager.flatMap(({ who, paths }) =>
    paths.map((field) => ({ reason: "FieldManagerConflict", message: `conflict with ${who}`, field })),
  );
  const message =
    causes.length === 1
      ? `Apply failed with 1 conflict: ${causes[0]!.message}: ${causes[0]!.field}`
      : `Apply failed with ${causes.length} conflicts: ${byManager.map(({ who, paths }) => [`conflicts with ${who}:`, ...paths.map((p) => `- ${p}`)].join("\n")).join("\n")}`;
  return new ApiError(409, "Conflict", message, {
    ...(object.name !== undefined ? { name: object.name } : {}),
    group: GROUP,
    kind: object.kind,
    causes,
  });
}
