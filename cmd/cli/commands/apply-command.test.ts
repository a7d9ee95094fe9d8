import { describe, expect, it } from "vitest";
import { parseDryRun } from "./apply-command.js";

describe("parseDryRun", () => {
  it.each([
    { name: "is off when not given", value: undefined, want: false },
    { name: "is off for none", value: "none", want: false },
    { name: "is a server dry run for server", value: "server", want: true },
  ])("$name", ({ value, want }) => {
    expect(parseDryRun(value)).toBe(want);
  });

  it("refuses a client dry run, which cannot predict a server-side apply", () => {
    expect(() => parseDryRun("client")).toThrow(/--dry-run must be "server" or "none", not "client"/);
  });
});
