import { describe, expect, it } from "vitest";
import { ApiError } from "../../machinery/errors.js";
import type { KubeObject, ManagedFieldsEntry } from "../../machinery/meta.js";
import { updateManagedFields } from "./managed-fields.js";
import { ownership, runSteps, stepTime, widget, type Step } from "./testing/field-manager-steps.js";
import { WIDGET_SCHEMA } from "./testing/widget-schema.js";

const desc = { "f:spec": { "f:description": {} } };
const replicas = { "f:spec": { "f:replicas": {} } };

const cases: { name: string; steps: Step[]; owners: Record<string, unknown> }[] = [
  {
    name: "gives the creator every field it set, with a dot for each object it created",
    steps: [{ update: { metadata: { labels: { a: "1" } }, spec: { description: "d", limits: { cpu: "1" } } }, by: "creator" }],
    owners: {
      "creator/Update": {
        "f:metadata": { "f:labels": { ".": {}, "f:a": {} } },
        "f:spec": { ".": {}, "f:description": {}, "f:limits": { ".": {}, "f:cpu": {} } },
      },
    },
  },
  {
    name: "takes a field this write changed away from the manager that applied it",
    steps: [
      { apply: { spec: { description: "d" } }, by: "alice" },
      { update: (o) => ({ ...o, spec: { description: "edited" } }), by: "editor" },
    ],
    owners: { "editor/Update": desc },
  },
  {
    name: "leaves fields this write did not change with their owners",
    steps: [
      { apply: { spec: { description: "d" } }, by: "alice" },
      { update: (o) => ({ ...o, spec: { ...(o.spec as object), replicas: 2 } }), by: "editor" },
    ],
    owners: { "alice/Apply": desc, "editor/Update": replicas },
  },
  {
    name: "drops ownership of a field this write removed, and gives the writer nothing for it",
    steps: [
      { apply: { spec: { description: "d", replicas: 1 } }, by: "alice" },
      { update: (o) => ({ ...o, spec: { replicas: 1 } }), by: "editor" },
    ],
    owners: { "alice/Apply": replicas },
  },
  {
    name: "adds a writer's new fields to the ones it already had",
    steps: [
      { update: { spec: { description: "d" } }, by: "creator" },
      { update: (o) => ({ ...o, spec: { ...(o.spec as object), replicas: 1 } }), by: "creator" },
    ],
    owners: { "creator/Update": { "f:spec": { ".": {}, "f:description": {}, "f:replicas": {} } } },
  },
  {
    name: "records a /status write with its subresource and only status fields",
    steps: [
      { update: { spec: { description: "d" } }, by: "creator" },
      { update: { status: { phase: "Ready" } }, by: "ctl", subresource: "status" },
    ],
    owners: { "creator/Update": { "f:spec": { ".": {}, "f:description": {} } }, "ctl/Update/status": { "f:status": { ".": {}, "f:phase": {} } } },
  },
  {
    name: "moves one condition's status to the controller that changed it",
    steps: [
      { update: { spec: {} }, by: "creator" },
      { apply: { status: { conditions: [{ type: "Ready", status: "True" }, { type: "Synced", status: "True" }] } }, by: "a", subresource: "status" },
      { update: (o) => ({ ...o, status: { conditions: [{ type: "Ready", status: "False" }, { type: "Synced", status: "True" }] } }), by: "b", subresource: "status" },
    ],
    owners: {
      "creator/Update": { "f:spec": {} },
      "a/Apply/status": { "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { ".": {}, "f:type": {} }, 'k:{"type":"Synced"}': { ".": {}, "f:status": {}, "f:type": {} } } } },
      "b/Update/status": { "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { "f:status": {} } } } },
    },
  },
  {
    name: "takes a whole atomic list when one element changes",
    steps: [
      { apply: { spec: { tags: ["a", "b"] } }, by: "alice" },
      { update: (o) => ({ ...o, spec: { tags: ["a", "c"] } }), by: "editor" },
    ],
    owners: { "editor/Update": { "f:spec": { "f:tags": {} } } },
  },
];

const base = () => runSteps([{ apply: { spec: { description: "d" } }, by: "alice" }])!;
const update = (live: KubeObject | undefined, updated: KubeObject, extra: { subresource?: string; manager?: string } = {}) =>
  updateManagedFields({ ...(live ? { live } : {}), updated, manager: extra.manager ?? "editor", operation: "Update", now: stepTime(30), schema: WIDGET_SCHEMA, ...(extra.subresource ? { subresource: extra.subresource } : {}) });

describe("updateManagedFields", () => {
  it.each(cases)("$name", ({ steps, owners }) => {
    expect(ownership(runSteps(steps)!.metadata.managedFields)).toEqual(owners);
  });

  it("stamps the writer's entry with the write's time", () => {
    const entries = update(base(), widget({ spec: { description: "e" }, metadata: { managedFields: base().metadata.managedFields } }));
    expect(entries.find((e) => e.manager === "editor")?.time).toBe(stepTime(30));
  });

  it("leaves managedFields as they were when a write changed nothing", () => {
    const live = base();
    expect(update(live, structuredClone(live))).toEqual(live.metadata.managedFields);
  });

  it("ignores status changes on the main resource", () => {
    const live = base();
    const entries = update(live, { ...structuredClone(live), status: { phase: "Forged" } });
    expect(ownership(entries)).toEqual({ "alice/Apply": desc });
  });

  it("ignores spec changes on /status", () => {
    const live = base();
    const entries = update(live, { ...structuredClone(live), spec: { description: "x" }, status: { phase: "Ready" } }, { subresource: "status" });
    expect(ownership(entries)).toEqual({ "alice/Apply": desc, "editor/Update/status": { "f:status": { ".": {}, "f:phase": {} } } });
  });

  it("never manages name, uid, resourceVersion, generation or creationTimestamp", () => {
    const created = widget({ metadata: { uid: "u", resourceVersion: "1", generation: 1, creationTimestamp: stepTime(0) }, spec: { description: "d" } });
    expect(ownership(update(undefined, created, { manager: "creator" }))).toEqual({ "creator/Update": { "f:spec": { ".": {}, "f:description": {} } } });
  });

  it("honours managedFields a client wrote itself", () => {
    const live = base();
    const mine: ManagedFieldsEntry[] = [{ manager: "importer", operation: "Update", apiVersion: "security.clawbernetes.com/v1", fieldsType: "FieldsV1", fieldsV1: desc }];
    const entries = update(live, { ...structuredClone(live), metadata: { ...live.metadata, managedFields: mine } });
    expect(ownership(entries)).toEqual({ "importer/Update": desc });
  });

  it("keeps the live managedFields when the client's are malformed", () => {
    const live = base();
    const broken = [{ manager: "x", operation: "Delete" }] as unknown as ManagedFieldsEntry[];
    expect(update(live, { ...structuredClone(live), metadata: { ...live.metadata, managedFields: broken } })).toEqual(live.metadata.managedFields);
  });

  it.each([
    { name: "[{}]", reset: [{}] },
    { name: "[]", reset: [] },
  ])("clears managedFields when a client writes $name", ({ reset }) => {
    const live = base();
    const updated = { ...structuredClone(live), spec: { description: "e" }, metadata: { ...live.metadata, managedFields: reset as ManagedFieldsEntry[] } };
    expect(update(live, updated)).toEqual([]);
  });

  it("does not track an existing object whose managedFields were cleared, as kube", () => {
    const live = widget({ spec: { description: "d" } });
    expect(update(live, widget({ spec: { description: "e" } }))).toEqual([]);
  });

  it("rejects a written object with two conditions of one type with 422", () => {
    const live = base();
    let caught: unknown;
    try {
      update(live, { ...structuredClone(live), status: { conditions: [{ type: "Ready" }, { type: "Ready" }] } }, { subresource: "status" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe(422);
    expect((caught as ApiError).details?.causes?.[0]).toMatchObject({ field: "status.conditions[1]", reason: "FieldValueDuplicate" });
  });

  it("folds the oldest of more than ten updaters into ancient-changes", () => {
    const steps: Step[] = [{ update: { spec: {} }, by: "creator" }];
    for (let i = 0; i < 11; i++) steps.push({ update: (o) => ({ ...o, spec: { ...(o.spec as object), settings: { ...((o.spec as { settings?: object }).settings ?? {}), [`k${i}`]: "v" } } }), by: `writer-${i}` });
    const entries = runSteps(steps)!.metadata.managedFields!;
    expect(entries.filter((e) => e.operation === "Update")).toHaveLength(10);
    const ancient = entries.find((e) => e.manager === "ancient-changes");
    // Twelve updaters (the creator and eleven writers): the three oldest fold into one.
    expect(ancient?.fieldsV1).toEqual({ "f:spec": { ".": {}, "f:settings": { ".": {}, "f:k0": {}, "f:k1": {} } } });
    expect(ancient?.time).toBe(stepTime(2));
    expect(entries.some((e) => ["creator", "writer-0", "writer-1"].includes(e.manager))).toBe(false);
  });
});
