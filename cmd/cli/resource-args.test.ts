import { describe, expect, it } from "vitest";
import { parseResourceArgs } from "./resource-args.js";

describe("parseResourceArgs", () => {
  it.each([
    { name: "takes a kind and names", args: ["role", "a", "b"], want: { kind: "role", names: ["a", "b"] } },
    { name: "takes a kind alone", args: ["roles"], want: { kind: "roles", names: [] } },
    { name: "takes KIND/NAME pairs of one kind", args: ["role/a", "role/b"], want: { kind: "role", names: ["a", "b"] } },
  ])("$name", ({ args, want }) => {
    expect(parseResourceArgs(args, "get")).toEqual(want);
  });

  it.each([
    { name: "asks for a kind when none is given", args: [], want: /claw get KIND/ },
    { name: "refuses KIND/NAME pairs of two kinds", args: ["role/a", "user/b"], want: /one kind at a time/ },
    { name: "refuses a pair without a name", args: ["role/"], want: /is not KIND\/NAME/ },
    { name: "refuses a kind given twice", args: ["role", "role/a"], want: /no need to give a kind/ },
  ])("$name", ({ args, want }) => {
    expect(() => parseResourceArgs(args, "get")).toThrow(want);
  });
});
