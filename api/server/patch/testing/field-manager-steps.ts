// Runs a sequence of writes (applies and plain updates) through the field manager, as the API server would,
// so tests can state a history in a few lines and check the object and its managedFields after it.

import type { KubeObject, ManagedFieldsEntry } from "../../../machinery/meta.js";
import { updateManagedFields } from "../managed-fields.js";
import { serverSideApply } from "../server-side-apply.js";
import { WIDGET_SCHEMA } from "./widget-schema.js";

type Body = { metadata?: Record<string, unknown>; spec?: unknown; status?: unknown };

export type Step =
  | { apply: Body; by: string; force?: boolean; subresource?: "status" }
  /** A create (no object yet) or an update: the object's new body; the main resource keeps the live status, /status keeps the rest. */
  | { update: Body | ((live: KubeObject) => KubeObject); by: string; subresource?: "status" };

export const NAME = "w1";

export function widget(body: Body): KubeObject {
  return { apiVersion: "security.clawbernetes.com/v1", kind: "Widget", ...body, metadata: { name: NAME, ...(body.metadata ?? {}) } } as KubeObject;
}

/** The time of step i, so tests can tell which write stamped an entry. */
export const stepTime = (i: number) => `2025-01-01T00:00:${String(i).padStart(2, "0")}Z`;

export function runSteps(steps: readonly Step[], start?: KubeObject): KubeObject | undefined {
  let live = start;
  steps.forEach((step, i) => {
    const now = stepTime(i);
    if ("apply" in step) {
      live = serverSideApply({
        live,
        applied: widget(step.apply),
        manager: step.by,
        force: step.force ?? false,
        now,
        schema: WIDGET_SCHEMA,
        ...(step.subresource ? { subresource: step.subresource } : {}),
      });
      return;
    }
    let updated = typeof step.update === "function" ? step.update(structuredClone(live!)) : widget(step.update);
    if (live && typeof step.update !== "function") {
      // What the API server's update rules do: the main resource keeps status, /status keeps everything else.
      updated = step.subresource === "status" ? { ...live, status: updated.status } : { ...updated, metadata: { ...updated.metadata, managedFields: live.metadata.managedFields }, status: live.status };
      if (updated.status === undefined) delete updated.status;
    }
    const managedFields = updateManagedFields({
      ...(live ? { live } : {}),
      updated,
      manager: step.by,
      operation: "Update",
      now,
      schema: WIDGET_SCHEMA,
      ...(step.subresource ? { subresource: step.subresource } : {}),
    });
    live = { ...updated, metadata: { ...updated.metadata, managedFields } };
  });
  return live;
}

/** managedFields as `manager/Operation[/subresource]` → fieldsV1, the way the tests state them. */
export function ownership(entries: readonly ManagedFieldsEntry[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of entries ?? []) out[`${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`] = e.fieldsV1;
  return out;
}
