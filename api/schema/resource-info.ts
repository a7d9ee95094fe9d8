// What the API server knows about each kind, read from the CRDs in crds/ (the schema's one source of truth).

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  /** The version's openAPIV3Schema, as written in the CRD. */
  schema: Record<string, unknown>;
  printerColumns: PrinterColumn[];
  hasStatusSubresource: boolean;
}

export interface ResourceRegistry {
  all(): readonly ResourceInfo[];
  /** By plural name, as in URL paths. */
  byPlural(plural: string): ResourceInfo | undefined;
  /** By kind (`Role`). */
  byKind(kind: string): ResourceInfo | undefined;
  /** What a person types: plural, singular, short name, kind, or `plural.group`, case-insensitive. */
  resolve(name: string): ResourceInfo | undefined;
}
