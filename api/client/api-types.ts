// Wire types of the Kubernetes API machinery that a client reads: discovery, tables, version, watch events.

import type { APIResource } from "../machinery/api-resource.js";
import type { KubeObject, ObjectMeta } from "../machinery/meta.js";

export type { APIResource } from "../machinery/api-resource.js";

export interface APIResourceList {
  kind: "APIResourceList";
  apiVersion?: string;
  groupVersion: string;
  resources: APIResource[];
}

export interface TableColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
}

export interface TableRow {
  cells: unknown[];
  /** PartialObjectMetadata or the full object, depending on `includeObject`. */
  object?: { apiVersion?: string; kind?: string; metadata?: Partial<ObjectMeta> };
}

export interface Table {
  kind: "Table";
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json";

export const isTable = (value: unknown): value is Table =>
  typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Table" && Array.isArray((value as Table).rows);

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit?: string;
  buildDate?: string;
  goVersion?: string;
  compiler?: string;
  platform?: string;
}

export type WatchEvent<T = KubeObject> =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: T }
  | { type: "BOOKMARK"; object: { kind?: string; apiVersion?: string; metadata: { resourceVersion: string } } };

export type PatchType = "merge" | "json" | "apply";

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  apply: "application/apply-patch+yaml",
};
