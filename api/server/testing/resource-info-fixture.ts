// A ResourceInfo for tests, Role-like by default; modifiers change what a case needs.

import type { ResourceInfo } from "../../schema/resource-info.js";

export type ResourceInfoModifier = (info: ResourceInfo) => void;

export function resourceInfo(...modifiers: ResourceInfoModifier[]): ResourceInfo {
  const info: ResourceInfo = {
    group: "security.clawbernetes.com",
    version: "v1",
    kind: "Role",
    listKind: "RoleList",
    plural: "roles",
    singular: "role",
    shortNames: ["rl"],
    categories: ["claw"],
    schema: {
      type: "object",
      description: "A named set of permissions.",
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { type: "object" },
        spec: { type: "object", properties: { description: { type: "string", nullable: true } } },
        status: { type: "object" },
      },
    },
    printerColumns: [
      { name: "Description", type: "string", jsonPath: ".spec.description" },
      { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status', priority: 1 },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ],
    hasStatusSubresource: true,
  };
  modifiers.forEach((m) => m(info));
  return info;
}

/** A second kind, to check grouping and ordering. */
export const asUser: ResourceInfoModifier = (info) =>
  Object.assign(info, { kind: "User", listKind: "UserList", plural: "users", singular: "user", shortNames: ["usr"], categories: [] });

export const withoutStatus: ResourceInfoModifier = (info) => {
  info.hasStatusSubresource = false;
};

export const inGroup =
  (group: string, version = "v1"): ResourceInfoModifier =>
  (info) =>
    Object.assign(info, { group, version });
