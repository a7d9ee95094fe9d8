import { describe, expect, it } from "vitest";
import type { Condition } from "./meta.js";
import { findCondition, isConditionTrue, removeCondition, setCondition, setConditions } from "./conditions.js";

const OLD = "2026-01-01T00:00:00Z";
const NOW = "2026-03-01T12:00:00Z";
const ready = (status: Condition["status"], extra: Partial<Condition> = {}): Condition => ({ type: "Ready", status, reason: "Why", message: "", lastTransitionTime: OLD, ...extra });
const other: Condition = { type: "Synced", status: "True", reason: "Done", message: "", lastTransitionTime: OLD };

describe("setCondition", () => {
  it.each<[string, Condition[] | undefined, Parameters<typeof setCondition>[1], Condition[]]>([
    ["appends a condition of a new type, transitioning now", undefined, { type: "Ready", status: "True", reason: "Ok", message: "fine" }, [{ type: "Ready", status: "True", reason: "Ok", message: "fine", lastTransitionTime: NOW }]],
    ["keeps lastTransitionTime when the status stays the same", [ready("True")], { type: "Ready", status: "True", reason: "Other", message: "new words" }, [{ type: "Ready", status: "True", reason: "Other", message: "new words", lastTransitionTime: OLD }]],
    ["moves lastTransitionTime when the status flips", [ready("True")], { type: "Ready", status: "False", reason: "Broken", message: "" }, [{ type: "Ready", status: "False", reason: "Broken", message: "", lastTransitionTime: NOW }]],
    ["moves lastTransitionTime when Unknown becomes known", [ready("Unknown")], { type: "Ready", status: "True", reason: "Ok", message: "" }, [{ type: "Ready", status: "True", reason: "Ok", message: "", lastTransitionTime: NOW }]],
    ["records the observed generation", [ready("True")], { type: "Ready", status: "True", reason: "Ok", message: "", observedGeneration: 7 }, [{ type: "Ready", status: "True", reason: "Ok", message: "", observedGeneration: 7, lastTransitionTime: OLD }]],
    ["replaces in place, leaving other types where they are", [ready("True"), other], { type: "Ready", status: "False", reason: "No", message: "" }, [{ type: "Ready", status: "False", reason: "No", message: "", lastTransitionTime: NOW }, other]],
  ])("%s", (_name, conditions, next, expected) => {
    expect(setCondition(conditions, next, NOW)).toEqual(expected);
  });

  it("does not change the list it was given", () => {
    const list = [ready("True")];
    setCondition(list, { type: "Ready", status: "False", reason: "No", message: "" }, NOW);
    expect(list).toEqual([ready("True")]);
  });

  it("sets several in order", () => {
    const list = setConditions([other], [{ type: "Ready", status: "True", reason: "A", message: "" }, { type: "Synced", status: "False", reason: "B", message: "" }], NOW);
    expect(list.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([["Synced", "False", NOW], ["Ready", "True", NOW]]);
  });

  it("finds, tests and removes by type", () => {
    const list = [ready("True"), other];
    expect(findCondition(list, "Synced")).toBe(other);
    expect(isConditionTrue(list, "Ready")).toBe(true);
    expect(isConditionTrue(list, "Missing")).toBe(false);
    expect(removeCondition(list, "Ready")).toEqual([other]);
  });
});
