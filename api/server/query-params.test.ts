import { describe, expect, it } from "vitest";
import { queryBool, queryEnum, queryInt64, queryOptionalBool } from "./query-params.js";
import { refusal } from "./testing/refusal.js";

const params = (query: string) => new URLSearchParams(query);

describe("query booleans, as kube-apiserver reads them", () => {
  it.each([
    ["absent", null, false],
    ['"0"', "0", false],
    ['"false"', "false", false],
    ['"False"', "False", false],
    ['"FALSE"', "FALSE", false],
    ['"true"', "true", true],
    ['"True"', "True", true],
    ['"TRUE"', "TRUE", true],
    ['"1"', "1", true],
    ['"t"', "t", true],
    ['"T"', "T", true],
    ['"" (a bare ?watch)', "", true],
    ['"yes", which kube reads as true too', "yes", true],
  ])("reads %s as %s", (_name, value, want) => {
    expect(queryBool(value)).toBe(want);
  });

  it("takes the first of repeated values, as kube does", () => {
    expect(queryBool(params("watch=false&watch=true").get("watch"))).toBe(false);
  });

  it("leaves an absent pointer boolean undefined", () => {
    expect([queryOptionalBool(params(""), "sendInitialEvents"), queryOptionalBool(params("sendInitialEvents=0"), "sendInitialEvents")]).toEqual([undefined, false]);
  });
});

describe("query integers, as Go's strconv.ParseInt reads them", () => {
  it.each([
    ["500", 500n],
    ["+5", 5n],
    ["-1", -1n],
    ["007", 7n],
    ["9223372036854775807", 9223372036854775807n],
    ["-9223372036854775808", -9223372036854775808n],
  ])("reads %s", (value, want) => {
    expect(queryInt64(params(`limit=${encodeURIComponent(value)}`), "limit")).toBe(want);
  });

  it.each([["abc"], ["1.5"], ["1e3"], ["0x10"], [" 5"], [""], ["1_000"], ["9223372036854775808"], ["-9223372036854775809"]])("refuses %j with 400 naming the parameter", (value) => {
    const error = refusal(() => queryInt64(params(`limit=${encodeURIComponent(value)}`), "limit"));
    expect(error).toMatchObject({ code: 400, reason: "BadRequest" });
    expect(error.message).toContain("limit");
  });

  it("leaves an absent integer undefined", () => {
    expect(queryInt64(params(""), "limit")).toBeUndefined();
  });
});

describe("query enums", () => {
  it("refuses a value kube does not support with 422 naming it and the supported ones", () => {
    const error = refusal(() => queryEnum(params("fieldValidation=strict"), "fieldValidation", ["Ignore", "Warn", "Strict"], "CreateOptions"));
    expect(error).toMatchObject({ code: 422, reason: "Invalid" });
    expect(error.message).toBe('CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "Ignore", "Warn", "Strict"');
  });

  it("leaves an empty value to the default", () => {
    expect(queryEnum(params("fieldValidation="), "fieldValidation", ["Strict"], "CreateOptions")).toBeUndefined();
  });
});
