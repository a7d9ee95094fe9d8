import { describe, expect, it } from "vitest";
import { parseLabelList } from "./label-list.js";

describe("parseLabelList", () => {
  it.each([
    { name: "reads the guide's labels", text: "env=production,team=backend", want: { env: "production", team: "backend" } },
    { name: "trims spaces and skips empty items", text: " env = production ,, ", want: { env: "production" } },
    { name: "takes a prefixed key and an empty value", text: "example.com/tier=", want: { "example.com/tier": "" } },
    { name: "takes the same pair twice", text: "a=1,a=1", want: { a: "1" } },
  ])("$name", ({ text, want }) => expect(parseLabelList(text, "--labels")).toEqual(want));

  it.each([
    { name: "nothing", text: " , ", message: "--labels needs at least one key=value" },
    { name: "a word without =", text: "env", message: '"env" is not key=value' },
    { name: "a key that is no label key", text: "bad key=x", message: 'the key "bad key"' },
    { name: "a value too long", text: `a=${"x".repeat(64)}`, message: "must be at most 63" },
    { name: "one key with two values", text: "a=1,a=2", message: 'the key "a" is given twice' },
  ])("refuses $name", ({ text, message }) => expect(() => parseLabelList(text, "--labels")).toThrow(message));
});
