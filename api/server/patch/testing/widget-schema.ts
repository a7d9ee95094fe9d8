// A CRD schema for field-management tests with one field of every kind server-side apply tells apart.

export const WIDGET_SCHEMA: Record<string, unknown> = {
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: {
      type: "object",
      properties: {
        description: { type: "string" },
        replicas: { type: "integer" },
        port: { "x-kubernetes-int-or-string": true },
        permissions: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
        tags: { type: "array", items: { type: "string" } },
        rules: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["name"],
          items: {
            type: "object",
            properties: { name: { type: "string" }, action: { type: "string" }, ports: { type: "array", items: { type: "integer" } } },
          },
        },
        settings: { type: "object", additionalProperties: { type: "string" } },
        selector: { type: "object", "x-kubernetes-map-type": "atomic", properties: { team: { type: "string" }, tier: { type: "string" } } },
        limits: { type: "object", properties: { cpu: { type: "string" }, memory: { type: "string" } } },
        extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      },
    },
    status: {
      type: "object",
      properties: {
        phase: { type: "string" },
        conditions: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["type"],
          items: {
            type: "object",
            properties: {
              type: { type: "string" },
              status: { type: "string" },
              reason: { type: "string" },
              message: { type: "string" },
              lastTransitionTime: { type: "string" },
            },
          },
        },
      },
    },
  },
};
