import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { diffErrorCode } from "./diff-command.js";

describe("diffErrorCode", () => {
  it.each([
    { name: "turns the catch-all failure into 9, since 1 means differences", code: ExitCode.Failure, want: ExitCode.DiffFailed },
    { name: "keeps a bad manifest's usage code", code: ExitCode.Usage, want: ExitCode.Usage },
    { name: "keeps an unreachable server's code", code: ExitCode.Unreachable, want: ExitCode.Unreachable },
    { name: "keeps forbidden", code: ExitCode.Forbidden, want: ExitCode.Forbidden },
  ])("$name", ({ code, want }) => {
    expect(diffErrorCode(code)).toBe(want);
  });
});
