import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseManifests, readManifests } from "./manifest-reader.js";

const role = (name: string) => `apiVersion: security.clawbernetes.com/v1\nkind: Role\nmetadata:\n  name: ${name}\n`;

describe("parseManifests", () => {
  it.each([
    { name: "reads every document of a multi-document file", text: `---\n${role("a")}---\n${role("b")}---\n`, names: ["a", "b"], problems: [] },
    { name: "reads a JSON object", text: JSON.stringify({ apiVersion: "x/v1", kind: "Role", metadata: { name: "j" } }), names: ["j"], problems: [] },
    {
      name: "reports a document without kind, naming the file and index, and keeps the others",
      text: `${role("a")}---\napiVersion: x/v1\nmetadata: {name: b}\n---\n${role("c")}`,
      names: ["a", "c"],
      problems: ['"f.yaml" (document 2): missing kind (every document needs apiVersion, kind and metadata.name)'],
    },
    { name: "reports a document that is not a mapping", text: "- a\n- b\n", names: [], problems: ['"f.yaml" (document 1): is not a mapping (every document needs apiVersion, kind and metadata.name)'] },
    { name: "reports invalid YAML with its position", text: `${role("a")}---\nkind: [\n`, names: ["a"], problems: [/^"f\.yaml" \(document 2\) is not valid YAML: .*at line 7, column 1/] },
    {
      name: "expands a List into its items",
      text: `apiVersion: v1\nkind: List\nitems:\n  - ${JSON.stringify({ apiVersion: "x/v1", kind: "Role", metadata: { name: "i1" } })}\n  - {kind: Role}\n`,
      names: ["i1"],
      problems: ['"f.yaml" (document 1, item 2): missing apiVersion, metadata.name (every document needs apiVersion, kind and metadata.name)'],
    },
  ])("$name", ({ text, names, problems }) => {
    const set = parseManifests(text, "f.yaml");
    expect(set.documents.map((d) => d.object.metadata.name)).toEqual(names);
    expect(set.problems.length).toBe(problems.length);
    problems.forEach((p, i) => expect(set.problems[i]!.message).toMatch(p));
  });
});

describe("readManifests", () => {
  let dir = "";
  const empty = (async function* () {})();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "claw-mf-"));
    await mkdir(join(dir, "m", "nested"), { recursive: true });
    await writeFile(join(dir, "m", "b.yaml"), role("b"));
    await writeFile(join(dir, "m", "a.yml"), role("a"));
    await writeFile(join(dir, "m", "notes.txt"), "not a manifest");
    await writeFile(join(dir, "m", "nested", "c.json"), JSON.stringify({ apiVersion: "x/v1", kind: "Role", metadata: { name: "c" } }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    { name: "reads the manifest files of a folder in name order, skipping sub-folders", recursive: false, want: ["a", "b"] },
    { name: "reads sub-folders with -R", recursive: true, want: ["a", "b", "c"] },
  ])("$name", async ({ recursive, want }) => {
    const set = await readManifests([join(dir, "m")], { recursive, stdin: empty });
    expect(set.documents.map((d) => d.object.metadata.name)).toEqual(want);
  });

  it("reads standard input for -", async () => {
    const stdin = (async function* () {
      yield role("s1");
      yield Buffer.from(`---\n${role("s2")}`);
    })();
    const set = await readManifests(["-"], { recursive: false, stdin });
    expect(set.documents.map((d) => `${d.label} ${d.object.metadata.name}`)).toEqual(['"<stdin>" (document 1) s1', '"<stdin>" (document 2) s2']);
  });

  it("reports a path that does not exist and reads the rest", async () => {
    const set = await readManifests([join(dir, "nope.yaml"), join(dir, "m", "a.yml")], { recursive: false, stdin: empty });
    expect(set.problems.map((p) => p.message)).toEqual([`the path "${join(dir, "nope.yaml")}" does not exist`]);
    expect(set.documents.map((d) => d.object.metadata.name)).toEqual(["a"]);
  });
});
