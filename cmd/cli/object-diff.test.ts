import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../api/machinery/meta.js";
import type { ResolvedKind } from "./kind-resolver.js";
import { renderObjectDiff } from "./object-diff.js";

const kindOf = (kind: string): ResolvedKind => ({ group: "security.clawbernetes.com", version: "v1", kind, plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), shortNames: [] });
const object = (kind: string, spec: Record<string, unknown>, meta: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind,
  metadata: { name: "x", ...meta },
  spec,
});
const NOISY = { resourceVersion: "7", uid: "u-1", generation: 3, creationTimestamp: "2026-01-01T00:00:00Z", managedFields: [{ manager: "claw", operation: "Apply" as const, apiVersion: "security.clawbernetes.com/v1", fieldsType: "FieldsV1" as const, fieldsV1: {} }] };
const HEAD = (kind: string) => `diff -u -N LIVE/security.clawbernetes.com.v1.${kind}..x MERGED/security.clawbernetes.com.v1.${kind}..x\n--- LIVE/security.clawbernetes.com.v1.${kind}..x\n+++ MERGED/security.clawbernetes.com.v1.${kind}..x\n`;

describe("renderObjectDiff", () => {
  it.each([
    { name: "is empty when only server bookkeeping differs", kind: "Role", live: object("Role", { a: 1 }, NOISY), merged: object("Role", { a: 1 }, { ...NOISY, resourceVersion: "8", generation: 4 }), want: "", masked: [] },
    {
      name: "prints a changed field as one removed and one added line",
      kind: "Role",
      live: object("Role", { description: "old" }, NOISY),
      merged: object("Role", { description: "new" }, NOISY),
      want: `${HEAD("Role")}@@ -3,4 +3,4 @@\n metadata:\n   name: x\n spec:\n-  description: old\n+  description: new\n`,
      masked: [],
    },
    {
      name: "diffs an object that does not exist yet against nothing",
      kind: "Role",
      live: undefined,
      merged: object("Role", {}, NOISY),
      want: `${HEAD("Role")}@@ -0,0 +1,5 @@\n+apiVersion: security.clawbernetes.com/v1\n+kind: Role\n+metadata:\n+  name: x\n+spec: {}\n`,
      masked: [],
    },
    {
      name: "masks an unchanged secret value on both sides and shows no difference",
      kind: "Secret",
      live: object("Secret", { valueFrom: { value: "same" } }),
      merged: object("Secret", { valueFrom: { value: "same" } }),
      want: "",
      masked: [],
    },
    {
      name: "masks a changed secret value as before and after, never the value",
      kind: "Secret",
      live: object("Secret", { sealed: { ciphertext: "AAAA" } }),
      merged: object("Secret", { sealed: { ciphertext: "BBBB" } }),
      want: `${HEAD("Secret")}@@ -4,4 +4,4 @@\n   name: x\n spec:\n   sealed:\n-    ciphertext: "*** (before)"\n+    ciphertext: "*** (after)"\n`,
      masked: ["spec.sealed.ciphertext"],
    },
    {
      name: "masks a new secret value that had none before",
      kind: "Secret",
      live: undefined,
      merged: object("Secret", { valueFrom: { value: "s3cret" } }),
      want: `${HEAD("Secret")}@@ -0,0 +1,7 @@\n+apiVersion: security.clawbernetes.com/v1\n+kind: Secret\n+metadata:\n+  name: x\n+spec:\n+  valueFrom:\n+    value: "*** (after)"\n`,
      masked: ["spec.valueFrom.value"],
    },
    {
      name: "leaves a field of the same name alone in a kind that is not secret",
      kind: "Role",
      live: undefined,
      merged: object("Role", { valueFrom: { value: "plain" } }),
      want: `${HEAD("Role")}@@ -0,0 +1,7 @@\n+apiVersion: security.clawbernetes.com/v1\n+kind: Role\n+metadata:\n+  name: x\n+spec:\n+  valueFrom:\n+    value: plain\n`,
      masked: [],
    },
  ])("$name", ({ kind, live, merged, want, masked }) => {
    const diff = renderObjectDiff(kindOf(kind), live, merged);
    expect(diff.text).toBe(want);
    expect(diff.maskedChanges).toEqual(masked);
  });
});
