// OpenAPI v3 schemas of the meta/v1 types our resources embed or our endpoints take and return, under the names
// kube-apiserver publishes them (io.k8s.apimachinery.pkg.apis.meta.v1.*), limited to the fields claw serves.

export type Schema = Record<string, unknown>;

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const PATCH = `${META}.Patch`;
const TIME = `${META}.Time`;
const MANAGED_FIELDS_ENTRY = `${META}.ManagedFieldsEntry`;
const FIELDS_V1 = `${META}.FieldsV1`;
const STATUS_DETAILS = `${META}.StatusDetails`;
const STATUS_CAUSE = `${META}.StatusCause`;
const PRECONDITIONS = `${META}.Preconditions`;

export const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
/** A property that is another named schema, written as kube does so that it can carry its own description. */
export const refProperty = (name: string, description: string): Schema => ({ description, allOf: [schemaRef(name)] });

const str = (description: string): Schema => ({ description, type: "string" });
const int64 = (description: string): Schema => ({ description, type: "integer", format: "int64" });
const int32 = (description: string): Schema => ({ description, type: "integer", format: "int32" });
const stringMap = (description: string): Schema => ({ description, type: "object", additionalProperties: { type: "string", default: "" } });

export const API_VERSION_DESCRIPTION = "The versioned schema of this representation of an object, such as security.clawbernetes.com/v1.";
export const KIND_DESCRIPTION = "The REST resource this object represents, in CamelCase, such as Role.";

/** The meta/v1 schemas, by name. */
export function metaSchemas(): Record<string, Schema> {
  return {
    [OBJECT_META]: {
      description: "Metadata that every stored object has.",
      type: "object",
      properties: {
        annotations: stringMap("Unstructured key/value data that tools and people attach to an object; not queryable."),
        creationTimestamp: refProperty(TIME, "When the server created the object (RFC 3339, UTC); set by the server, read-only."),
        deletionGracePeriodSeconds: int64("Seconds allowed for graceful deletion once deletionTimestamp is set; read-only."),
        deletionTimestamp: refProperty(TIME, "When deletion was requested; the object is removed once its finalizers are gone. Read-only."),
        finalizers: {
          description: "Conditions that must be cleared, by the controllers that added them, before the object is removed.",
          type: "array",
          items: { type: "string", default: "" },
          "x-kubernetes-list-type": "set",
        },
        generation: int64("A sequence number of changes to the desired state (spec); set by the server, read-only."),
        labels: stringMap("Key/value pairs for selecting and grouping objects, matched by label selectors."),
        managedFields: {
          description: "Which field manager owns which fields, for server-side apply; maintained by the server.",
          type: "array",
          items: { default: {}, allOf: [schemaRef(MANAGED_FIELDS_ENTRY)] },
          "x-kubernetes-list-type": "atomic",
        },
        name: str("The object's name, unique among objects of its kind; cannot be changed."),
        resourceVersion: str("An opaque value that changes on every write, for optimistic concurrency and watches; read-only."),
        uid: str("A unique id the server assigns at creation; never reused. Read-only."),
      },
    },
    [LIST_META]: {
      description: "Metadata that lists have.",
      type: "object",
      properties: {
        continue: str("Set when the list was cut short by limit: pass it as ?continue= to get the next page."),
        remainingItemCount: int64("How many items follow this page, when known."),
        resourceVersion: str("The revision the list was read at; watch from it to see every later change."),
      },
    },
    [TIME]: { description: "A point in time, RFC 3339 in UTC with second precision.", type: "string", format: "date-time" },
    [MANAGED_FIELDS_ENTRY]: {
      description: "The fields one manager owns, and how it last wrote them.",
      type: "object",
      properties: {
        apiVersion: str("The version of the resource the fields are expressed in."),
        fieldsType: str('The format of fieldsV1; always "FieldsV1".'),
        fieldsV1: refProperty(FIELDS_V1, "The set of owned fields."),
        manager: str("The name of the manager, such as kubectl or claw."),
        operation: str("Apply or Update: the kind of write that set the fields."),
        subresource: str("The subresource written, such as status; empty for the main resource."),
        time: refProperty(TIME, "When the manager last changed these fields."),
      },
    },
    [FIELDS_V1]: { description: "A set of fields in the structured-merge-diff trie format.", type: "object" },
    [STATUS]: {
      description: "The result of an operation that returns no object, such as an error.",
      type: "object",
      properties: {
        apiVersion: str(API_VERSION_DESCRIPTION),
        code: int32("The HTTP status code."),
        details: refProperty(STATUS_DETAILS, "More about the reason, such as the object and the invalid fields."),
        kind: str(KIND_DESCRIPTION),
        message: str("What happened, for people."),
        metadata: refProperty(LIST_META, "Standard list metadata."),
        reason: str("Why the operation failed, for programs, such as NotFound, Conflict or Invalid."),
        status: str("Success or Failure."),
      },
      "x-kubernetes-group-version-kind": [{ group: "", kind: "Status", version: "v1" }],
    },
    [STATUS_DETAILS]: {
      description: "Details of a Status.",
      type: "object",
      properties: {
        causes: {
          description: "The individual problems, such as each invalid field.",
          type: "array",
          items: { default: {}, allOf: [schemaRef(STATUS_CAUSE)] },
          "x-kubernetes-list-type": "atomic",
        },
        group: str("The group of the resource concerned."),
        kind: str("The kind (or resource) concerned."),
        name: str("The name of the object concerned."),
        retryAfterSeconds: int32("How long to wait before retrying."),
        uid: str("The uid of the object concerned."),
      },
    },
    [STATUS_CAUSE]: {
      description: "One problem with a request.",
      type: "object",
      properties: {
        field: str("The field path at fault, such as spec.permissions[2]."),
        message: str("What is wrong, for people."),
        reason: str("A machine-readable reason, such as FieldValueInvalid."),
      },
    },
    [DELETE_OPTIONS]: {
      description: "Options for a DELETE request.",
      type: "object",
      properties: {
        apiVersion: str(API_VERSION_DESCRIPTION),
        dryRun: { description: 'With "All", validate but do not delete.', type: "array", items: { type: "string", default: "" }, "x-kubernetes-list-type": "atomic" },
        gracePeriodSeconds: int64("Seconds to wait before deleting; accepted for compatibility."),
        kind: str(KIND_DESCRIPTION),
        preconditions: refProperty(PRECONDITIONS, "Delete only if the object still has this uid and/or resourceVersion."),
        propagationPolicy: str("Foreground, Background or Orphan; accepted for compatibility (claw objects have no dependents)."),
      },
    },
    [PRECONDITIONS]: {
      description: "Conditions an object must still meet for the operation to proceed.",
      type: "object",
      properties: { resourceVersion: str("The expected resourceVersion."), uid: str("The expected uid.") },
    },
    [PATCH]: { description: "The body of a PATCH request: a JSON patch, a merge patch or an apply configuration.", type: "object" },
  };
}
