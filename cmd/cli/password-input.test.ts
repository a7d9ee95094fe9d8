import { describe, expect, it } from "vitest";
import { UsageError } from "./cli-errors.js";
import { promptHidden, PromptCancelled, readPassword, stdinLines, terminalOf } from "./password-input.js";
import { FakeTerminal } from "./testing/fake-terminal.js";
import { CapturedOutput } from "./testing/cli-harness.js";

const textStdin = (text: string) =>
  (async function* () {
    yield text;
  })();

describe("promptHidden", () => {
  const cases: { name: string; keys: string[]; want: string | typeof PromptCancelled; echo: string }[] = [
    { name: "returns the typed line and echoes one * per character", keys: ["s3cret\r"], want: "s3cret", echo: "Password: ******\n" },
    { name: "takes keys arriving in several chunks", keys: ["s3", "cr", "et\n"], want: "s3cret", echo: "Password: ******\n" },
    { name: "erases the last character on backspace", keys: ["abx\u007fc\r"], want: "abc", echo: "Password: ***\b \b*\n" },
    { name: "clears the line on Ctrl-U", keys: ["wrong\u0015ok\r"], want: "ok", echo: `Password: *****${"\b \b".repeat(5)}**\n` },
    { name: "ignores arrow keys", keys: ["a\u001b[Db\r"], want: "ab", echo: "Password: **\n" },
    { name: "counts a non-ASCII character once", keys: ["pässwörd\r"], want: "pässwörd", echo: "Password: ********\n" },
    { name: "is cancelled by Ctrl-C", keys: ["abc\u0003"], want: PromptCancelled, echo: "Password: ***\n" },
    { name: "is cancelled by Ctrl-D on an empty line", keys: ["\u0004"], want: PromptCancelled, echo: "Password: \n" },
  ];
  it.each(cases)("$name", async ({ keys, want, echo }) => {
    const terminal = new FakeTerminal();
    const output = new CapturedOutput();
    const result = promptHidden({ input: terminal, output, prompt: "Password: " });
    for (const k of keys) terminal.type(k);
    if (typeof want === "string") expect(await result).toBe(want);
    else await expect(result).rejects.toBeInstanceOf(want);
    expect(output.text).toBe(echo);
    expect(terminal.rawModes).toEqual([true, false]);
    expect(terminal.paused).toBe(true);
    expect(terminal.listenerCount("data")).toBe(0);
  });
});

describe("readPassword", () => {
  it.each([
    { name: "strips the final line break of a piped password", stdin: "hunter22\n", want: { password: "hunter22" } },
    { name: "strips a final CRLF too", stdin: "hunter22\r\n", want: { password: "hunter22" } },
    { name: "keeps spaces inside and around a piped password", stdin: " a b \n", want: { password: " a b " } },
  ])("$name", async ({ stdin, want }) => {
    const prompt = new CapturedOutput();
    expect(await readPassword({ stdin: textStdin(stdin), prompt, fromStdin: true, command: "claw auth login" })).toEqual(want);
    expect(prompt.text).toBe("");
  });

  it("reads the current password then the new one from two piped lines", async () => {
    const got = await readPassword({ stdin: textStdin("old-pw\nnew-pw\n"), prompt: new CapturedOutput(), fromStdin: true, command: "c", current: true });
    expect(got).toEqual({ current: "old-pw", password: "new-pw" });
  });

  it.each([
    { name: "refuses an empty piped password", stdin: "\n", opts: {}, want: /the password read from standard input is empty/ },
    { name: "refuses a missing second line when the current password is asked", stdin: "old\n", opts: { current: true }, want: /the new password is its second line/ },
  ])("$name", async ({ stdin, opts, want }) => {
    await expect(readPassword({ stdin: textStdin(stdin), prompt: new CapturedOutput(), fromStdin: true, command: "c", ...opts })).rejects.toThrow(want);
  });

  it("tells how to pipe the password when stdin is not a terminal", async () => {
    const err = await readPassword({ stdin: textStdin(""), prompt: new CapturedOutput(), fromStdin: false, command: "claw auth login --username admin" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain("claw auth login --username admin --password-stdin");
  });

  it("asks twice on a terminal when confirming, and refuses a mismatch", async () => {
    const terminal = new FakeTerminal(["one\r", "two\r"]);
    const prompt = new CapturedOutput();
    await expect(readPassword({ stdin: terminal, prompt, fromStdin: false, command: "c", confirm: true })).rejects.toThrow(/did not match/);
    expect(prompt.text).toBe("New password: ***\nRetype new password: ***\n");
  });

  it("asks for the current password first on a terminal", async () => {
    const terminal = new FakeTerminal(["old\r", "new\r"]);
    const prompt = new CapturedOutput();
    expect(await readPassword({ stdin: terminal, prompt, fromStdin: false, command: "c", current: true })).toEqual({ current: "old", password: "new" });
    expect(prompt.text).toBe("Current password: ***\nNew password: ***\n");
  });
});

describe("stdinLines and terminalOf", () => {
  it("keeps inner line breaks of a one-line secret", () => expect(stdinLines("a\nb\n", 1)).toEqual(["a\nb"]));
  it("sees a terminal only in a stream with isTTY and setRawMode", () => {
    expect(terminalOf(new FakeTerminal())).toBeDefined();
    expect(terminalOf(textStdin("x"))).toBeUndefined();
    expect(terminalOf({ isTTY: true })).toBeUndefined();
  });
});
