import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../api/machinery/meta.js";
import { APPLY_SET_LABEL, applySetId, memberKey, prunePlan } from "./apply-set.js";

const member = (plural: string, name: string, labels: Record<string, string> = { [APPLY_SET_LABEL]: "s" }, extra: Partial<KubeObject["metadata"]> = {}) => ({
  plural,
  object: { apiVersion: "security.clawbernetes.com/v1", kind: "Role", metadata: { name, labels, ...extra } },
});

describe("applySetId", () => {
  it.each([
    { name: "is the --applyset name when given", opts: { name: "prod", paths: ["a"], cwd: "/r" }, want: "prod" },
    { name: "is the same for a folder named relatively or absolutely", opts: { name: undefined, paths: ["m"], cwd: "/repo" }, same: { name: undefined, paths: ["/repo/m/"], cwd: "/" } },
    { name: "does not depend on the order of -f paths", opts: { name: undefined, paths: ["/a", "/b"], cwd: "/" }, same: { name: undefined, paths: ["/b", "/a"], cwd: "/" } },
  ])("$name", ({ opts, want, same }) => {
    const id = applySetId(opts);
    if (want) expect(id).toBe(want);
    if (same) expect(id).toBe(applySetId(same));
    expect(id).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
  });

  it.each([
    { name: "refuses a name that is not a label value", opts: { name: "no/slash", paths: ["a"], cwd: "/" }, error: /not a valid label value/ },
    { name: "refuses standard input without a name", opts: { name: undefined, paths: ["-"], cwd: "/" }, error: /needs --applyset NAME/ },
  ])("$name", ({ opts, error }) => {
    expect(() => applySetId(opts)).toThrow(error);
  });
});

describe("prunePlan", () => {
  it.each([
    { name: "deletes a member that is no longer applied", members: [member("roles", "gone")], applied: [], want: ["roles/gone"] },
    { name: "keeps a member that is still applied", members: [member("roles", "kept")], applied: ["roles/kept"], want: [] },
    { name: "tells kinds apart: a user of the same name as an applied role is pruned", members: [member("users", "x")], applied: ["roles/x"], want: ["users/x"] },
    { name: "never deletes an object without the set's label", members: [member("roles", "hand", {}), member("roles", "other", { [APPLY_SET_LABEL]: "t" })], applied: [], want: [] },
    { name: "skips a member already being deleted", members: [member("roles", "going", undefined, { deletionTimestamp: "2026-01-01T00:00:00Z" })], applied: [], want: [] },
  ])("$name", ({ members, applied, want }) => {
    expect(prunePlan(members, new Set(applied), "s").map((m) => memberKey(m.plural, m.object.metadata.name))).toEqual(want);
  });
});
