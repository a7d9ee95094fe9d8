import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../api/machinery/meta.js";
import { describeObject, renderValue } from "./describe-printer.js";

const now = Date.parse("2026-01-01T01:00:00Z");

describe("describeObject", () => {
  it("prints metadata, spec, status fields and a conditions table", () => {
    const obj: KubeObject = {
      apiVersion: "security.clawbernetes.com/v1",
      kind: "Role",
      metadata: { name: "ml-engineer", labels: { team: "ml", tier: "gpu" }, creationTimestamp: "2026-01-01T00:55:00Z", generation: 2, resourceVersion: "12", uid: "u-1" },
      spec: { description: "ML engineers", permissions: ["workloads:*", "nodes:read"] },
      status: {
        observedGeneration: 2,
        resolvedPermissions: [{ resource: "workloads", actions: ["read", "write"] }],
        conditions: [{ type: "Ready", status: "True", reason: "Resolved", message: "2 permissions resolved", lastTransitionTime: "2026-01-01T00:57:00Z" }],
      },
    };
    expect(describeObject(obj, now)).toBe(
      [
        "Name:               ml-engineer",
        "Kind:               Role",
        "API Version:        security.clawbernetes.com/v1",
        "Labels:             team=ml",
        "                    tier=gpu",
        "Annotations:        <none>",
        "Created:            2026-01-01T00:55:00Z (5m ago)",
        "Generation:         2",
        "Resource Version:   12",
        "UID:                u-1",
        "Spec:",
        "  description:  ML engineers",
        "  permissions:",
        "    - workloads:*",
        "    - nodes:read",
        "Status:",
        "  observedGeneration:  2",
        "  resolvedPermissions:",
        "    - resource:  workloads",
        "      actions:",
        "        - read",
        "        - write",
        "Conditions:",
        "  Type   Status  Reason    Message                 Last Transition",
        "  ----   ------  ------    -------                 ---------------",
        "  Ready  True    Resolved  2 permissions resolved  3m ago",
        "",
      ].join("\n"),
    );
  });

  it("says <none> for a missing spec, status and conditions", () => {
    const text = describeObject({ apiVersion: "v", kind: "K", metadata: { name: "x" } }, now);
    expect(text).toContain("Spec:               <none>\n");
    expect(text).toContain("Status:             <none>\n");
    expect(text).toContain("Conditions:         <none>\n");
  });
});

describe("renderValue", () => {
  it("prints a multi-line string as a block", () => {
    expect(renderValue({ pem: "-----BEGIN-----\nabc\n" }, 2)).toEqual(["  pem:  |", "    -----BEGIN-----", "    abc"]);
  });
});
