// The structural schema of ObjectMeta (api/machinery/meta.ts), which CRDs leave to the API server.
// Semantic rules (name syntax, label syntax) live in metadata-rules.ts.

const stringMap = { type: "object", additionalProperties: { type: "string" } } as const;
const time = { type: "string", format: "date-time" } as const;

export const OBJECT_META_SCHEMA: Record<string, unknown> = {
  type: "object",
  properties: {
    name: { type: "string" },
    generateName: { type: "string" },
    /** Cluster-scoped kinds have no namespace; the validator drops it, as Kubernetes does. */
    namespace: { type: "string" },
    uid: { type: "string" },
    resourceVersion: { type: "string" },
    generation: { type: "integer", minimum: 0 },
    creationTimestamp: time,
    deletionTimestamp: time,
    deletionGracePeriodSeconds: { type: "integer", minimum: 0 },
    labels: stringMap,
    annotations: stringMap,
    finalizers: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
    managedFields: {
      type: "array",
      items: {
        type: "object",
        properties: {
          manager: { type: "string" },
          operation: { type: "string", enum: ["Apply", "Update"] },
          apiVersion: { type: "string" },
          time,
          fieldsType: { type: "string", enum: ["FieldsV1"] },
          fieldsV1: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          subresource: { type: "string" },
        },
      },
    },
  },
};
