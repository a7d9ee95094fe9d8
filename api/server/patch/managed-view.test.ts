import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../machinery/meta.js";
import { managedView, scopeOf, withManagedView } from "./managed-view.js";

const obj: KubeObject = {
  apiVersion: "security.clawbernetes.com/v1",
  kind: "Role",
  metadata: { name: "r", uid: "u", resourceVersion: "3", labels: { a: "1" }, finalizers: ["f"], managedFields: [] },
  spec: { description: "d" },
  status: { phase: "Ready" },
};

describe("managedView", () => {
  it.each([
    { scope: "main" as const, want: { metadata: { labels: { a: "1" }, finalizers: ["f"] }, spec: { description: "d" } } },
    { scope: "status" as const, want: { status: { phase: "Ready" } } },
    { scope: "whole" as const, want: { metadata: { labels: { a: "1" }, finalizers: ["f"] }, spec: { description: "d" }, status: { phase: "Ready" } } },
  ])("shows the $scope scope only its managed fields", ({ scope, want }) => {
    expect(managedView(obj, scope)).toEqual(want);
  });

  it("leaves metadata out when none of it is managed", () => {
    expect(managedView({ ...obj, metadata: { name: "r" } }, "main")).toEqual({ spec: { description: "d" } });
  });

  it.each([
    { sub: undefined, statusSubresource: true, scope: "main" },
    { sub: "status", statusSubresource: true, scope: "status" },
    { sub: undefined, statusSubresource: false, scope: "whole" },
  ])("picks scope $scope for subresource $sub", ({ sub, statusSubresource, scope }) => {
    expect(scopeOf(sub, statusSubresource)).toBe(scope);
  });
});

describe("withManagedView", () => {
  it("replaces the managed fields of the scope and keeps the rest", () => {
    const next = withManagedView(obj, { metadata: { annotations: { n: "x" } }, spec: { description: "e" } }, "main");
    expect(next).toEqual({
      apiVersion: obj.apiVersion,
      kind: "Role",
      metadata: { name: "r", uid: "u", resourceVersion: "3", managedFields: [], annotations: { n: "x" } },
      spec: { description: "e" },
      status: { phase: "Ready" },
    });
  });

  it("drops a field of the scope the view no longer has", () => {
    expect(withManagedView(obj, {}, "status").status).toBeUndefined();
    expect(withManagedView(obj, {}, "status").spec).toEqual({ description: "d" });
  });

  it("keeps the object's key order", () => {
    expect(Object.keys(withManagedView(obj, { spec: { description: "e" } }, "main"))).toEqual(["apiVersion", "kind", "metadata", "spec", "status"]);
  });
});
