import { describe, expect, it } from "vitest";
import { parseBooleanOption } from "./boolean-option.js";

describe("parseBooleanOption", () => {
  it.each([
    ["true", true], ["TRUE", true], ["yes", true], ["on", true], ["1", true],
    ["false", false], ["False", false], ["no", false], ["off", false], ["0", false], [" false ", false],
  ])("reads %j as %s", (text, expected) => {
    expect(parseBooleanOption(text)).toBe(expected);
  });

  it.each(["maybe", "", "2", "nope"])("refuses %j, saying what it expected", (text) => {
    expect(() => parseBooleanOption(text)).toThrow(`"${text}" is not true or false`);
  });
});
