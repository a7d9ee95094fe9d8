import { describe, expect, it } from "vitest";
import { isApiError } from "./errors.js";
import { exactNameOf, parseFieldSelector, parseFieldSelectorRequirements } from "./field-selector.js";

const obj = { metadata: { name: "ml-team" } };

describe("parseFieldSelector", () => {
  const cases = [
    { name: "matches everything when empty", selector: "", matches: true },
    { name: "matches metadata.name=", selector: "metadata.name=ml-team", matches: true },
    { name: "matches metadata.name==", selector: "metadata.name==ml-team", matches: true },
    { name: "rejects another name", selector: "metadata.name=other", matches: false },
    { name: "matches metadata.name!= another name", selector: "metadata.name!=other", matches: true },
    { name: "rejects metadata.name!= the same name", selector: "metadata.name!=ml-team", matches: false },
    { name: "treats a cluster-scoped object's namespace as empty", selector: "metadata.namespace=", matches: true },
    { name: "rejects a namespace a cluster-scoped object lacks", selector: "metadata.namespace=default", matches: false },
    { name: "requires every comma-joined term", selector: "metadata.name=ml-team,metadata.name!=x", matches: true },
    { name: "unescapes an escaped = in a value", selector: "metadata.name!=a\\=b", matches: true },
    { name: "reads an escaped comma inside a value", selector: "metadata.name!=a\\,b", matches: true },
  ];
  it.each(cases)("$name", ({ selector, matches }) => {
    expect(parseFieldSelector(selector)(obj)).toBe(matches);
  });

  const invalid = [
    { name: "refuses fields other than metadata.name and metadata.namespace", selector: "spec.description=x", message: "field label not supported: spec.description" },
    { name: "refuses a term without an operator", selector: "metadata.name", message: "is not field=value" },
    { name: "refuses an unknown escape", selector: "metadata.name=a\\b", message: "is not an escape" },
    { name: "refuses an unescaped = in a value", selector: "metadata.name=a=b", message: "must be escaped" },
  ];
  it.each(invalid)("$name", ({ selector, message }) => {
    try {
      parseFieldSelector(selector);
      expect.unreachable("the selector should be refused");
    } catch (err) {
      expect(isApiError(err) && err.code === 400 && err.reason === "BadRequest").toBe(true);
      expect((err as Error).message).toContain(message);
    }
  });

  it("returns the unescaped value", () => {
    expect(parseFieldSelectorRequirements("metadata.name=a\\,b\\\\c")[0]!.value).toBe("a,b\\c");
  });

  it("finds the exact name a selector pins", () => {
    expect(exactNameOf(parseFieldSelectorRequirements("metadata.name=a"))).toBe("a");
    expect(exactNameOf(parseFieldSelectorRequirements("metadata.name!=a"))).toBeUndefined();
  });
});
