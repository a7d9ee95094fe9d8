import { describe, expect, it } from "vitest";
import { ApiError } from "../../machinery/errors.js";
import type { KubeObject } from "../../machinery/meta.js";
import { serverSideApply } from "./server-side-apply.js";
import { NAME, ownership, runSteps, stepTime, widget, type Step } from "./testing/field-manager-steps.js";
import { WIDGET_SCHEMA } from "./testing/widget-schema.js";

const desc = { "f:spec": { "f:description": {} } };
const csa = "kubectl-client-side-apply";

interface Case {
  name: string;
  /** The object before the first step; none by default. */
  start?: KubeObject;
  steps: Step[];
  /** Each key present is checked exactly: `spec: undefined` means the object has no spec. */
  want: { spec?: unknown; status?: unknown; labels?: unknown; annotations?: unknown; finalizers?: unknown; owners?: Record<string, unknown> };
}

const untracked = widget({ spec: { description: "old" } });

const cases: Case[] = [
  {
    name: "creates the object on the first apply and records the manager's fields",
    steps: [{ apply: { metadata: { labels: { team: "a" } }, spec: { description: "d" } }, by: "alice" }],
    want: {
      spec: { description: "d" },
      labels: { team: "a" },
      owners: { "alice/Apply": { "f:metadata": { "f:labels": { "f:team": {} } }, "f:spec": { "f:description": {} } } },
    },
  },
  {
    name: "merges into fields other managers set and leaves theirs alone",
    steps: [
      { apply: { spec: { description: "d" } }, by: "alice" },
      { apply: { spec: { replicas: 3 } }, by: "bob" },
    ],
    want: { spec: { description: "d", replicas: 3 }, owners: { "alice/Apply": desc, "bob/Apply": { "f:spec": { "f:replicas": {} } } } },
  },
  {
    name: "removes a field the manager stopped applying",
    steps: [
      { apply: { spec: { description: "d", replicas: 1 } }, by: "alice" },
      { apply: { spec: { replicas: 1 } }, by: "alice" },
    ],
    want: { spec: { replicas: 1 }, owners: { "alice/Apply": { "f:spec": { "f:replicas": {} } } } },
  },
  {
    name: "keeps a field the manager stopped applying when another applier also owns it",
    steps: [
      { apply: { spec: { description: "d", replicas: 1 } }, by: "alice" },
      { apply: { spec: { description: "d" } }, by: "bob" },
      { apply: { spec: { replicas: 1 } }, by: "alice" },
    ],
    want: { spec: { description: "d", replicas: 1 }, owners: { "alice/Apply": { "f:spec": { "f:replicas": {} } }, "bob/Apply": desc } },
  },
  {
    name: "keeps a field the manager stopped applying when an updater took it over",
    steps: [
      { apply: { spec: { description: "d", replicas: 1 } }, by: "alice" },
      { update: (o) => ({ ...o, spec: { ...(o.spec as object), description: "edited" } }), by: "editor" },
      { apply: { spec: { replicas: 1 } }, by: "alice" },
    ],
    want: { spec: { description: "edited", replicas: 1 }, owners: { "alice/Apply": { "f:spec": { "f:replicas": {} } }, "editor/Update": desc } },
  },
  {
    name: "removes the whole spec when the manager stops applying it and nobody else owns any of it",
    steps: [
      { apply: { metadata: { labels: { a: "1" } }, spec: { description: "d", limits: { cpu: "1" } } }, by: "alice" },
      { apply: { metadata: { labels: { a: "1" } } }, by: "alice" },
    ],
    want: { spec: undefined, owners: { "alice/Apply": { "f:metadata": { "f:labels": { "f:a": {} } } } } },
  },
  {
    name: "removes an item of a keyed list the manager stopped applying and keeps the others' items",
    steps: [
      { apply: { spec: { rules: [{ name: "a", action: "deny" }, { name: "b", action: "allow" }] } }, by: "alice" },
      { apply: { spec: { rules: [{ name: "c", action: "deny" }] } }, by: "bob" },
      { apply: { spec: { rules: [{ name: "b", action: "allow" }] } }, by: "alice" },
    ],
    want: { spec: { rules: [{ name: "b", action: "allow" }, { name: "c", action: "deny" }] } },
  },
  {
    name: "removes a label the manager stopped applying and keeps the labels others own",
    steps: [
      { apply: { metadata: { labels: { a: "1", b: "2" } } }, by: "alice" },
      { apply: { metadata: { labels: { c: "3" } } }, by: "bob" },
      { apply: { metadata: { labels: { a: "1" } } }, by: "alice" },
    ],
    want: { labels: { a: "1", c: "3" } },
  },
  {
    name: "keeps annotations when the manager drops all its labels",
    steps: [
      { apply: { metadata: { labels: { a: "1" }, annotations: { note: "x" } } }, by: "alice" },
      { apply: { metadata: { annotations: { note: "x" } } }, by: "alice" },
    ],
    want: { labels: undefined, annotations: { note: "x" } },
  },
  {
    name: "lets two managers applying the same value share ownership",
    steps: [
      { apply: { spec: { description: "d" } }, by: "alice" },
      { apply: { spec: { description: "d" } }, by: "bob" },
    ],
    want: { spec: { description: "d" }, owners: { "alice/Apply": desc, "bob/Apply": desc } },
  },
  {
    name: "force takes ownership from the other manager",
    steps: [
      { apply: { spec: { description: "d" } }, by: "alice" },
      { apply: { spec: { description: "mine" } }, by: "bob", force: true },
    ],
    want: { spec: { description: "mine" }, owners: { "bob/Apply": desc } },
  },
  {
    name: "force takes ownership only of the conflicting fields",
    steps: [
      { apply: { spec: { description: "d", replicas: 1 } }, by: "alice" },
      { apply: { spec: { description: "mine" } }, by: "bob", force: true },
    ],
    want: { spec: { description: "mine", replicas: 1 }, owners: { "alice/Apply": { "f:spec": { "f:replicas": {} } }, "bob/Apply": desc } },
  },
  {
    name: "merges map-keyed conditions by type",
    steps: [
      { update: { spec: { description: "d" } }, by: "creator" },
      { apply: { status: { conditions: [{ type: "Ready", status: "True" }] } }, by: "ready-controller", subresource: "status" },
      { apply: { status: { conditions: [{ type: "Synced", status: "False" }] } }, by: "sync-controller", subresource: "status" },
    ],
    want: {
      status: { conditions: [{ type: "Ready", status: "True" }, { type: "Synced", status: "False" }] },
      owners: {
        "ready-controller/Apply/status": { "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { ".": {}, "f:status": {}, "f:type": {} } } } },
        "sync-controller/Apply/status": { "f:status": { "f:conditions": { 'k:{"type":"Synced"}': { ".": {}, "f:status": {}, "f:type": {} } } } },
        "creator/Update": { "f:spec": { ".": {}, "f:description": {} } },
      },
    },
  },
  {
    name: "removes a condition the manager stopped applying",
    steps: [
      { update: { spec: {} }, by: "creator" },
      { apply: { status: { conditions: [{ type: "Ready", status: "True" }, { type: "Old", status: "True" }] } }, by: "ctl", subresource: "status" },
      { apply: { status: { conditions: [{ type: "Ready", status: "False" }] } }, by: "ctl", subresource: "status" },
    ],
    want: { status: { conditions: [{ type: "Ready", status: "False" }] } },
  },
  {
    name: "replaces atomic lists whole",
    steps: [
      { apply: { spec: { tags: ["a", "b"] } }, by: "alice" },
      { apply: { spec: { tags: ["c"] } }, by: "alice" },
    ],
    want: { spec: { tags: ["c"] }, owners: { "alice/Apply": { "f:spec": { "f:tags": {} } } } },
  },
  {
    name: "merges sets item by item between managers",
    steps: [
      { apply: { spec: { permissions: ["nodes:read"] } }, by: "alice" },
      { apply: { spec: { permissions: ["roles:read"] } }, by: "bob" },
    ],
    want: {
      spec: { permissions: ["nodes:read", "roles:read"] },
      owners: {
        "alice/Apply": { "f:spec": { "f:permissions": { 'v:"nodes:read"': {} } } },
        "bob/Apply": { "f:spec": { "f:permissions": { 'v:"roles:read"': {} } } },
      },
    },
  },
  {
    name: "manages finalizers as a set",
    steps: [
      { apply: { metadata: { finalizers: ["claw/a"] } }, by: "alice" },
      { apply: { metadata: { finalizers: ["claw/b"] } }, by: "bob" },
      { apply: { metadata: { finalizers: [] } }, by: "alice" },
    ],
    want: { finalizers: ["claw/b"] },
  },
  {
    name: "ignores status sent to the main resource",
    steps: [{ apply: { spec: { description: "d" }, status: { phase: "Hacked" } }, by: "alice" }],
    want: { spec: { description: "d" }, status: undefined, owners: { "alice/Apply": desc } },
  },
  {
    name: "applies to /status only the status and records the subresource",
    steps: [
      { apply: { spec: { description: "d" } }, by: "alice" },
      { apply: { spec: { description: "ignored" }, status: { phase: "Ready" } }, by: "ctl", subresource: "status" },
    ],
    want: { spec: { description: "d" }, status: { phase: "Ready" }, owners: { "alice/Apply": desc, "ctl/Apply/status": { "f:status": { "f:phase": {} } } } },
  },
  {
    name: "keeps the status when the main resource is applied again",
    steps: [
      { apply: { spec: { description: "d" } }, by: "alice" },
      { apply: { status: { phase: "Ready" } }, by: "ctl", subresource: "status" },
      { apply: { spec: { description: "e" } }, by: "alice" },
    ],
    want: { spec: { description: "e" }, status: { phase: "Ready" } },
  },
  {
    name: "removes a field of a keyed item the manager stopped applying",
    steps: [
      { update: { spec: {} }, by: "creator" },
      { apply: { status: { conditions: [{ type: "Ready", status: "False", reason: "Waiting" }] } }, by: "ctl", subresource: "status" },
      { apply: { status: { conditions: [{ type: "Ready", status: "True" }] } }, by: "ctl", subresource: "status" },
    ],
    want: { status: { conditions: [{ type: "Ready", status: "True" }] } },
  },
  {
    name: "merges ownerReferences by uid",
    steps: [
      { apply: { metadata: { ownerReferences: [{ apiVersion: "v1", kind: "User", name: "u", uid: "1" }] } }, by: "alice" },
      { apply: { metadata: { ownerReferences: [{ apiVersion: "v1", kind: "Role", name: "r", uid: "2" }] } }, by: "bob" },
    ],
    want: {
      owners: {
        "alice/Apply": { "f:metadata": { "f:ownerReferences": { 'k:{"uid":"1"}': { ".": {}, "f:apiVersion": {}, "f:kind": {}, "f:name": {}, "f:uid": {} } } } },
        "bob/Apply": { "f:metadata": { "f:ownerReferences": { 'k:{"uid":"2"}': { ".": {}, "f:apiVersion": {}, "f:kind": {}, "f:name": {}, "f:uid": {} } } } },
      },
    },
  },
  {
    name: "merges and prunes free-form objects key by key",
    steps: [
      { apply: { spec: { extra: { a: { x: 1 }, b: 2 } } }, by: "alice" },
      { apply: { spec: { extra: { c: 3 } } }, by: "bob" },
      { apply: { spec: { extra: { a: { y: 1 } } } }, by: "alice" },
    ],
    want: { spec: { extra: { a: { y: 1 }, c: 3 } } },
  },
  {
    name: "removes everything the manager owned and its entry when it applies nothing",
    steps: [
      { apply: { spec: { description: "d" } }, by: "alice" },
      { apply: { spec: { replicas: 1 } }, by: "bob" },
      { apply: {}, by: "alice" },
    ],
    want: { spec: { replicas: 1 }, owners: { "bob/Apply": { "f:spec": { "f:replicas": {} } } } },
  },
  {
    name: "takes over an atomic list whole when forced",
    steps: [
      { apply: { spec: { tags: ["a"] } }, by: "alice" },
      { apply: { spec: { tags: ["a", "b"] } }, by: "bob", force: true },
    ],
    want: { spec: { tags: ["a", "b"] }, owners: { "bob/Apply": { "f:spec": { "f:tags": {} } } } },
  },
  {
    name: "gives the fields of an untracked object to before-first-apply",
    start: untracked,
    steps: [{ apply: { spec: { replicas: 2 } }, by: "alice" }],
    want: {
      spec: { description: "old", replicas: 2 },
      owners: { "alice/Apply": { "f:spec": { "f:replicas": {} } }, "before-first-apply/Update": { "f:spec": { ".": {}, "f:description": {} } } },
    },
  },
];

describe("serverSideApply", () => {
  it.each(cases)("$name", ({ start, steps, want }) => {
    const obj = runSteps(steps, start)!;
    const seen = { spec: obj.spec, status: obj.status, labels: obj.metadata.labels, annotations: obj.metadata.annotations, finalizers: obj.metadata.finalizers, owners: ownership(obj.metadata.managedFields) };
    for (const key of Object.keys(want) as (keyof typeof want)[]) expect({ [key]: seen[key] }).toEqual({ [key]: want[key] });
  });

  it("reports a conflict when an existing object has fields before-first-apply holds", () => {
    const err = errorOf(() => runSteps([{ apply: { spec: { description: "new" } }, by: "alice" }], untracked));
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using security.clawbernetes.com/v1: .spec.description');
  });

  it("reports a conflict when kubectl-client-side-apply owns spec.description with another value", () => {
    const err = conflictOf([
      { update: { spec: { description: "d" } }, by: csa },
      { apply: { spec: { description: "new" } }, by: "claw" },
    ]);
    expect([err.code, err.reason]).toEqual([409, "Conflict"]);
    expect(err.message).toBe(`Apply failed with 1 conflict: conflict with "${csa}" using security.clawbernetes.com/v1: .spec.description`);
    expect(err.details?.causes).toEqual([{ reason: "FieldManagerConflict", message: `conflict with "${csa}" using security.clawbernetes.com/v1`, field: ".spec.description" }]);
  });

  it("lists every conflict grouped by manager", () => {
    const err = conflictOf([
      { apply: { spec: { description: "d", replicas: 1 } }, by: "alice" },
      { apply: { status: { conditions: [{ type: "Ready", status: "True" }] } }, by: "ctl", subresource: "status" },
      { update: (o) => ({ ...o, spec: { ...(o.spec as object), limits: { cpu: "1" } } }), by: "tuner" },
      { apply: { spec: { description: "x", replicas: 2, limits: { cpu: "2" } } }, by: "bob" },
    ]);
    expect(err.message).toBe(
      'Apply failed with 3 conflicts: conflicts with "alice":\n- .spec.description\n- .spec.replicas\n' +
        'conflicts with "tuner" using security.clawbernetes.com/v1:\n- .spec.limits.cpu',
    );
    expect(err.details?.causes?.map((c) => c.field)).toEqual([".spec.description", ".spec.replicas", ".spec.limits.cpu"]);
  });

  it("reports a conflict when a manager changes an atomic list another owns", () => {
    const err = conflictOf([
      { apply: { spec: { tags: ["a"] } }, by: "alice" },
      { apply: { spec: { tags: ["a", "b"] } }, by: "bob" },
    ]);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.tags');
  });

  it("names the subresource of a conflicting status manager", () => {
    const err = conflictOf([
      { update: { spec: {} }, by: "creator" },
      { apply: { status: { conditions: [{ type: "Ready", status: "True" }] } }, by: "ctl", subresource: "status" },
      { apply: { status: { conditions: [{ type: "Ready", status: "False" }] } }, by: "other", subresource: "status" },
    ]);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "ctl" with subresource "status": .status.conditions[type="Ready"].status');
  });

  it("does not change the object or its owners when a conflict is refused", () => {
    const live = runSteps([{ apply: { spec: { description: "d" } }, by: "alice" }])!;
    const before = structuredClone(live);
    expect(() => serverSideApply({ live, applied: widget({ spec: { description: "x" } }), manager: "bob", force: false, now: stepTime(9), schema: WIDGET_SCHEMA })).toThrow(ApiError);
    expect(live).toEqual(before);
  });

  it("stamps the manager's time only when the apply changed something", () => {
    const steps: Step[] = [
      { apply: { spec: { description: "d" } }, by: "alice" },
      { apply: { spec: { description: "d" } }, by: "alice" },
    ];
    expect(runSteps(steps)!.metadata.managedFields?.[0]?.time).toBe(stepTime(0));
    expect(runSteps([...steps, { apply: { spec: { description: "e" } }, by: "alice" }])!.metadata.managedFields?.[0]?.time).toBe(stepTime(2));
  });

  it("writes entries as kube does: Apply before Update, apiVersion, FieldsV1", () => {
    const obj = runSteps([
      { update: { spec: { replicas: 1 } }, by: "creator" },
      { apply: { spec: { description: "d" } }, by: "alice" },
    ])!;
    expect(obj.metadata.managedFields).toEqual([
      { manager: "alice", operation: "Apply", apiVersion: "security.clawbernetes.com/v1", time: stepTime(1), fieldsType: "FieldsV1", fieldsV1: desc },
      { manager: "creator", operation: "Update", apiVersion: "security.clawbernetes.com/v1", time: stepTime(0), fieldsType: "FieldsV1", fieldsV1: { "f:spec": { ".": {}, "f:replicas": {} } } },
    ]);
  });

  it("keeps server-set metadata of the live object", () => {
    const live = { ...runSteps([{ apply: { spec: { description: "d" } }, by: "alice" }])!, status: { phase: "Ready" } };
    live.metadata = { ...live.metadata, uid: "u-1", resourceVersion: "7", generation: 2, creationTimestamp: stepTime(0) };
    const obj = serverSideApply({ live, applied: widget({ metadata: { uid: "forged" }, spec: { description: "e" } }), manager: "alice", force: false, now: stepTime(1), schema: WIDGET_SCHEMA });
    expect(obj.metadata).toMatchObject({ name: NAME, uid: "u-1", resourceVersion: "7", generation: 2, creationTimestamp: stepTime(0) });
    expect(obj.status).toEqual({ phase: "Ready" });
  });

  it.each([
    { name: "a keyed item without its key", applied: widget({ spec: { rules: [{ action: "deny" }] } }), code: 422, says: 'Widget.security.clawbernetes.com "w1" is invalid: spec.rules[0].name: Required value' },
    { name: "duplicate conditions", applied: widget({ status: { conditions: [{ type: "A" }, { type: "A" }] } }), sub: "status" as const, code: 422, says: "status.conditions[1]: Duplicate value" },
    { name: "managedFields in the body", applied: widget({ metadata: { managedFields: [] } }), code: 400, says: "metadata.managedFields must not be set" },
    { name: "a body that is not an object", applied: [] as unknown as KubeObject, code: 400, says: "single object" },
  ])("rejects $name", ({ applied, sub, code, says }) => {
    const live = runSteps([{ update: { spec: {} }, by: "creator" }])!;
    const err = errorOf(() => serverSideApply({ live, applied, manager: "alice", force: false, now: stepTime(5), schema: WIDGET_SCHEMA, ...(sub ? { subresource: sub } : {}) }));
    expect(err.code).toBe(code);
    expect(err.message).toContain(says);
  });

  it("refuses to create an object through /status", () => {
    const err = errorOf(() => serverSideApply({ applied: widget({ status: { phase: "x" } }), manager: "ctl", force: false, now: stepTime(0), schema: WIDGET_SCHEMA, subresource: "status" }));
    expect(err.code).toBe(404);
  });
});

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected an ApiError");
}

const conflictOf = (steps: Step[]) => errorOf(() => runSteps(steps));
