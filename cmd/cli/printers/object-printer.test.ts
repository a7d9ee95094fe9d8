import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../api/machinery/meta.js";
import type { ResolvedKind } from "../kind-resolver.js";
import { printObjects } from "./object-printer.js";

const kind: ResolvedKind = { group: "security.clawbernetes.com", version: "v1", kind: "Role", plural: "roles", singular: "role", shortNames: ["rl"] };
const role = (name: string): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name, managedFields: [{ manager: "claw", operation: "Apply", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: {} }] },
  spec: { description: "d" },
});

describe("printObjects", () => {
  it.each([
    { name: "prints kind.group/name lines for -o name", format: "name" as const, asList: true, objects: [role("a"), role("b")], want: "role.security.clawbernetes.com/a\nrole.security.clawbernetes.com/b\n" },
    {
      name: "prints one object as YAML without managedFields",
      format: "yaml" as const, asList: false, objects: [role("a")],
      want: "apiVersion: security.clawbernetes.com/v1\nkind: Role\nmetadata:\n  name: a\nspec:\n  description: d\n",
    },
    {
      name: "prints a List for a list request, even of one",
      format: "json" as const, asList: true, objects: [role("a")],
      want: `${JSON.stringify({ apiVersion: "v1", kind: "List", metadata: { resourceVersion: "" }, items: [{ apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name: "a" }, spec: { description: "d" } }] }, null, 4)}\n`,
    },
  ])("$name", ({ format, asList, objects, want }) => {
    expect(printObjects(objects, { format, asList, kind })).toBe(want);
  });

  it("keeps managedFields when asked", () => {
    expect(printObjects([role("a")], { format: "yaml", asList: false, kind, showManagedFields: true })).toContain("managedFields");
  });
});
