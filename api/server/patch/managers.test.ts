import { describe, expect, it } from "vitest";
import { FieldSet } from "./field-set.js";
import { capUpdateManagers, decodeManagers, encodeManagers, isManagedFieldsReset, managerId, printManager, type ManagerEntry } from "./managers.js";

const V1 = "security.clawbernetes.com/v1";
const entry = (manager: string, operation: "Apply" | "Update", time?: string, subresource?: string) => ({
  manager,
  operation,
  apiVersion: V1,
  ...(time ? { time } : {}),
  fieldsType: "FieldsV1",
  fieldsV1: { "f:spec": { [`f:${manager}`]: {} } },
  ...(subresource ? { subresource } : {}),
});

describe("decodeManagers", () => {
  it("reads entries keyed by manager, operation and subresource", () => {
    const managers = decodeManagers([entry("a", "Apply"), entry("a", "Update"), entry("a", "Update", undefined, "status")]);
    expect([...managers.keys()]).toEqual([managerId({ manager: "a", operation: "Apply" }), managerId({ manager: "a", operation: "Update" }), managerId({ manager: "a", operation: "Update", subresource: "status" })]);
  });

  it.each([
    { name: "a non-list", entries: {}, says: "must be a list" },
    { name: "an unknown operation", entries: [{ ...entry("a", "Apply"), operation: "Patch" }], says: "operation must be Apply or Update" },
    { name: "another fields type", entries: [{ ...entry("a", "Apply"), fieldsType: "FieldsV2" }], says: "fieldsType must be FieldsV1" },
    { name: "a repeated manager", entries: [entry("a", "Apply"), entry("a", "Apply")], says: 'repeats the manager "a"' },
    { name: "bad FieldsV1", entries: [{ ...entry("a", "Apply"), fieldsV1: { spec: {} } }], says: "unknown path element" },
  ])("refuses $name", ({ entries, says }) => {
    expect(() => decodeManagers(entries)).toThrow(says);
  });
});

describe("encodeManagers", () => {
  it("orders Apply before Update, then oldest first, then by name, and drops empty sets", () => {
    const managers = decodeManagers([
      entry("z", "Update", "2025-01-01T00:00:01Z"),
      entry("b", "Update", "2025-01-01T00:00:00Z"),
      entry("a", "Update", "2025-01-01T00:00:01Z"),
      entry("y", "Apply", "2025-01-01T00:00:09Z"),
    ]);
    const empty: ManagerEntry = { manager: "gone", operation: "Apply", apiVersion: V1, set: new FieldSet() };
    managers.set(managerId(empty), empty);
    expect(encodeManagers(managers).map((e) => `${e.manager}/${e.operation}`)).toEqual(["y/Apply", "b/Update", "a/Update", "z/Update"]);
  });

  it("round-trips what it decodes", () => {
    const entries = [entry("a", "Apply", "2025-01-01T00:00:00Z"), entry("c", "Update", "2025-01-01T00:00:00Z", "status")];
    expect(encodeManagers(decodeManagers(entries))).toEqual(entries);
  });
});

describe("capUpdateManagers", () => {
  it("leaves ten updaters alone and folds the two oldest of eleven into ancient-changes", () => {
    const ten = Array.from({ length: 10 }, (_, i) => entry(`m${i}`, "Update", `2025-01-01T00:00:${String(i).padStart(2, "0")}Z`));
    expect(capUpdateManagers(decodeManagers(ten)).size).toBe(10);
    const eleven = decodeManagers([...ten, entry("m10", "Update", "2025-01-01T00:00:10Z"), entry("applier", "Apply")]);
    const capped = encodeManagers(capUpdateManagers(eleven));
    expect(capped.filter((e) => e.operation === "Update")).toHaveLength(10);
    expect(capped.find((e) => e.manager === "ancient-changes")).toMatchObject({ time: "2025-01-01T00:00:01Z", fieldsV1: { "f:spec": { "f:m0": {}, "f:m1": {} } } });
    expect(capped.some((e) => e.manager === "applier")).toBe(true);
  });
});

describe("printManager and isManagedFieldsReset", () => {
  it.each([
    { m: { manager: "kubectl", operation: "Apply" as const, apiVersion: V1 }, printed: '"kubectl"' },
    { m: { manager: "kubectl", operation: "Update" as const, apiVersion: V1 }, printed: `"kubectl" using ${V1}` },
    { m: { manager: "ctl", operation: "Apply" as const, apiVersion: V1, subresource: "status" }, printed: '"ctl" with subresource "status"' },
  ])("prints $printed", ({ m, printed }) => {
    expect(printManager(m)).toBe(printed);
  });

  it.each([
    { entries: [], reset: true },
    { entries: [{}], reset: true },
    { entries: undefined, reset: false },
    { entries: [entry("a", "Apply")], reset: false },
  ])("treats $entries as a reset: $reset", ({ entries, reset }) => {
    expect(isManagedFieldsReset(entries)).toBe(reset);
  });
});
