// Kubernetes field paths (`spec.permissions[1]`, `metadata.labels[app]`) built along a structural schema.

export type SchemaNode = Record<string, unknown>;

const isNode = (v: unknown): v is SchemaNode => typeof v === "object" && v !== null && !Array.isArray(v);

export const propertiesOf = (schema: SchemaNode | undefined): Record<string, SchemaNode> =>
  isNode(schema?.properties) ? (schema.properties as Record<string, SchemaNode>) : {};
export const itemsOf = (schema: SchemaNode | undefined): SchemaNode | undefined => (isNode(schema?.items) ? schema.items : undefined);
export const mapValuesOf = (schema: SchemaNode | undefined): SchemaNode | undefined =>
  isNode(schema?.additionalProperties) ? schema.additionalProperties : undefined;

export const fieldChild = (path: string, name: string): string => (path === "" ? name : `${path}.${name}`);
export const fieldIndex = (path: string, index: number | string): string => `${path}[${index}]`;

/** One step down the schema: the child schema and the field path to it. */
export function stepInto(schema: SchemaNode | undefined, path: string, segment: string): { schema: SchemaNode | undefined; path: string } {
  const items = itemsOf(schema);
  if (items) return { schema: items, path: fieldIndex(path, segment) };
  const property = propertiesOf(schema)[segment];
  if (property) return { schema: property, path: fieldChild(path, segment) };
  const values = mapValuesOf(schema);
  if (values) return { schema: values, path: fieldIndex(path, segment) };
  return { schema: undefined, path: fieldChild(path, segment) };
}

/** The schemas along a JSON pointer (`/spec/permissions/1`), root first, with the field path of the last one. */
export function walkPointer(root: SchemaNode, pointer: string): { schemas: (SchemaNode | undefined)[]; path: string } {
  const segments = pointer === "" ? [] : pointer.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const schemas: (SchemaNode | undefined)[] = [root];
  let at: { schema: SchemaNode | undefined; path: string } = { schema: root, path: "" };
  for (const segment of segments) {
    at = stepInto(at.schema, at.path, segment);
    schemas.push(at.schema);
  }
  return { schemas, path: at.path };
}
