import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../api/machinery/meta.js";
import { parseCustomColumns, renderCustomColumns } from "./custom-columns.js";

const user = (name: string, roles: string[], ready?: string): KubeObject => ({
  apiVersion: "security.clawbernetes.com/v1",
  kind: "User",
  metadata: { name },
  spec: { roles },
  ...(ready ? { status: { conditions: [{ type: "Ready", status: ready }] } } : {}),
});
const USERS = [user("alice", ["operator", "viewer"], "True"), user("bob", [])];

describe("custom-columns", () => {
  it.each([
    { name: "prints a column per path, padded by three spaces", spec: "NAME:.metadata.name,KIND:.kind", want: ["NAME    KIND", "alice   User", "bob     User"] },
    { name: "takes the relaxed path forms", spec: "A:metadata.name,B:{.metadata.name}", want: ["A       B", "alice   alice", "bob     bob"] },
    { name: "joins several values with commas and shows <none> for none", spec: "NAME:.metadata.name,ROLES:.spec.roles[*]", want: ["NAME    ROLES", "alice   operator,viewer", "bob     <none>"] },
    { name: "picks by index", spec: "FIRST:.spec.roles[0]", want: ["FIRST", "operator", "<none>"] },
    { name: "filters with a comma-free condition", spec: 'NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status', want: ["NAME    READY", "alice   True", "bob     <none>"] },
  ])("$name", ({ spec, want }) => {
    expect(renderCustomColumns(parseCustomColumns(spec), USERS, { noHeaders: false }).lines).toEqual(want);
  });

  it("puts an EVENT column first for watch events", () => {
    expect(renderCustomColumns(parseCustomColumns("NAME:.metadata.name"), USERS.slice(0, 1), { noHeaders: false, event: "MODIFIED" }).lines).toEqual(["EVENT      NAME", "MODIFIED   alice"]);
  });

  it("leaves out the header with --no-headers", () => {
    expect(renderCustomColumns(parseCustomColumns("NAME:.metadata.name"), USERS, { noHeaders: true }).lines).toEqual(["alice", "bob"]);
  });

  it.each([
    { name: "refuses a column without a header", spec: ".metadata.name", error: /expected HEADER:PATH/ },
    { name: "refuses an empty spec", spec: "", error: /at least one HEADER:PATH/ },
  ])("$name", ({ spec, error }) => {
    expect(() => parseCustomColumns(spec)).toThrow(error);
  });
});
