// Turns Ajv errors into Kubernetes StatusCauses: a field path, a reason, and a message that says what is
// wrong and what is expected. Values of secret fields (format: password, or holding one) are never echoed.

import type { ErrorObject } from "ajv";
import type { StatusCause } from "../machinery/errors.js";
import { fieldChild, fieldIndex, walkPointer, type SchemaNode } from "./field-path.js";
import type { ListDuplicateParams } from "./kube-ajv.js";

const FORMAT_LABELS: Record<string, string> = {
  "date-time": "an RFC 3339 date-time such as 2026-05-06T08:00:00Z",
  date: "a date such as 2026-05-06",
  email: "an email address such as alice@example.com",
  hostname: "a DNS hostname such as gateway.example.com",
  ipv4: "an IPv4 address such as 10.0.0.1",
  ipv6: "an IPv6 address such as 2001:db8::1",
  cidr: "a CIDR block such as 198.51.100.0/24",
  byte: "base64-encoded data",
  uri: "a URI",
  uuid: "a UUID",
};

const COMPARISONS: Record<string, string> = {
  ">=": "greater than or equal to",
  "<=": "less than or equal to",
  ">": "greater than",
  "<": "less than",
};

const isNode = (v: unknown): v is SchemaNode => typeof v === "object" && v !== null && !Array.isArray(v);
const formatLabel = (format: unknown) => (typeof format === "string" ? (FORMAT_LABELS[format] ?? `a valid ${format}`) : "a valid value");

function holdsSecret(schema: SchemaNode | undefined): boolean {
  if (!schema) return false;
  if (schema.format === "password") return true;
  return Object.values(schema).some((v) => (isNode(v) ? holdsSecret(v) : Array.isArray(v) && v.some((x) => isNode(x) && holdsSecret(x))));
}

function show(value: unknown, secret: boolean): string {
  if (secret) return "(redacted)";
  if (typeof value === "string") return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return Array.isArray(value) ? (value.length === 0 ? "[]" : "array") : "object";
}

/** The first clause of a schema description (up to ". X" or "; "), which says what the field holds. */
function firstSentence(schema: SchemaNode | undefined): string {
  const description = typeof schema?.description === "string" ? schema.description : "";
  return (description.split(/\.\s+(?=[A-Z])|;\s/)[0] ?? "").replace(/\.$/, "");
}
const hint = (schema: SchemaNode | undefined) => {
  const sentence = firstSentence(schema);
  return sentence === "" ? "" : ` (${sentence})`;
};
/** "must be a permission resource:action…" from a description that starts "A permission resource:action…". */
function patternMessage(schema: SchemaNode | undefined, pattern: string): string {
  const sentence = firstSentence(schema);
  const regex = `regex used for validation is '${pattern}'`;
  return /^(A|An|The) /.test(sentence) ? `must be ${sentence[0]?.toLowerCase()}${sentence.slice(1)} (${regex})` : `must match the ${regex}`;
}

const requiredOnly = (branches: unknown): string[][] | undefined => {
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const lists = branches.map((b) => (isNode(b) && Object.keys(b).length === 1 && Array.isArray(b.required) ? (b.required as string[]) : undefined));
  return lists.every((l): l is string[] => l !== undefined) ? lists : undefined;
};
const formatsOnly = (branches: unknown): unknown[] | undefined => {
  if (!Array.isArray(branches)) return undefined;
  const formats = branches.map((b) => (isNode(b) && Object.keys(b).length === 1 ? b.format : undefined));
  return formats.every((f) => typeof f === "string") ? formats : undefined;
};
const orList = (items: string[]) => (items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`);

/** Maps one error; `root` is the schema the error's instancePath is relative to. */
function causeOf(error: ErrorObject, root: SchemaNode): StatusCause | undefined {
  const { schemas, path } = walkPointer(root, error.instancePath);
  const schema = schemas[schemas.length - 1];
  const secret = schemas.some((s) => s?.format === "password") || holdsSecret(schema);
  const value = show(error.data, secret);
  const params = error.params as Record<string, unknown>;
  const at = (field: string, reason: string, message: string): StatusCause => ({ field, reason, message });
  switch (error.keyword) {
    case "required":
      return at(fieldChild(path, String(params.missingProperty)), "FieldValueRequired", "Required value");
    case "type":
      return at(path, "FieldValueTypeInvalid", `Invalid value: ${value}: must be of type ${String(params.type)}`);
    case "enum": {
      const allowed = (Array.isArray(params.allowedValues) ? params.allowedValues : []).map((v) => JSON.stringify(v)).join(", ");
      return at(path, "FieldValueNotSupported", `Unsupported value: ${value}: supported values: ${allowed}`);
    }
    case "pattern":
      return at(path, "FieldValueInvalid", `Invalid value: ${value}: ${patternMessage(schema, String(params.pattern))}`);
    case "format":
      return at(path, "FieldValueInvalid", `Invalid value: ${value}: must be ${formatLabel(params.format)}`);
    case "maxLength":
      return at(path, "FieldValueTooLong", `Too long: may not be longer than ${String(params.limit)} characters`);
    case "minLength":
      return at(path, "FieldValueInvalid", `Invalid value: ${value}: must be at least ${String(params.limit)} character${params.limit === 1 ? "" : "s"} long`);
    case "maxItems":
    case "maxProperties":
      return at(path, "FieldValueTooMany", `Too many: must have at most ${String(params.limit)} ${error.keyword === "maxItems" ? "items" : "entries"}`);
    case "minItems":
    case "minProperties":
      return at(path, "FieldValueInvalid", `Invalid value: ${value}: must have at least ${String(params.limit)} ${error.keyword === "minItems" ? "item" : "entry"}${params.limit === 1 ? "" : "s"}`);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return at(path, "FieldValueInvalid", `Invalid value: ${value}: must be ${COMPARISONS[String(params.comparison)] ?? String(params.comparison)} ${String(params.limit)}`);
    case "uniqueItems": {
      const index = Math.max(Number(params.i), Number(params.j));
      return at(fieldIndex(path, index), "FieldValueDuplicate", `Duplicate value: ${show((error.data as unknown[])[index], secret)}`);
    }
    case "x-kubernetes-list-type": {
      const { index, keys } = params as unknown as ListDuplicateParams;
      const item = (error.data as unknown[])[index];
      const shown = keys && isNode(item) ? JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k]]))) : show(item, secret);
      return at(fieldIndex(path, index), "FieldValueDuplicate", `Duplicate value: ${shown}`);
    }
    case "anyOf": {
      const required = requiredOnly(error.schema);
      if (required) return at(fieldChild(path, required[0]?.[0] ?? ""), "FieldValueRequired", `Required value: must set ${orList(required.map((r) => r.join(" and ")))}`);
      const formats = formatsOnly(error.schema);
      if (formats) return at(path, "FieldValueInvalid", `Invalid value: ${value}: must be ${orList(formats.map(formatLabel))}`);
      return at(path, "FieldValueInvalid", `Invalid value: ${value}: matches none of the allowed forms${hint(schema)}`);
    }
    case "oneOf": {
      const required = requiredOnly(error.schema);
      const names = required?.map((r) => r.join(" and "));
      if (names && params.passingSchemas === null)
        return at(fieldChild(path, required?.[0]?.[0] ?? ""), "FieldValueRequired", `Required value: must set exactly one of ${orList(names)}`);
      if (names) return at(path, "FieldValueForbidden", `Forbidden: may set only one of ${orList(names)}`);
      return at(path, "FieldValueInvalid", `Invalid value: ${value}: must match exactly one of the allowed forms${hint(schema)}`);
    }
    case "not": {
      const forbidden = isNode(error.schema) && Array.isArray(error.schema.required) ? (error.schema.required as string[]) : undefined;
      if (forbidden) return at(fieldChild(path, forbidden[forbidden.length - 1] ?? ""), "FieldValueForbidden", `Forbidden: may not set both ${forbidden.join(" and ")}; set only one`);
      return at(path, "FieldValueInvalid", `Invalid value: ${value}: is not allowed${hint(schema)}`);
    }
    default:
      return at(path, "FieldValueInvalid", `Invalid value: ${value}: ${error.message ?? "is not valid"}`);
  }
}

/** Maps Ajv errors to causes; errors inside anyOf/oneOf branches are folded into the combinator's own cause. */
export function causesFromAjv(errors: readonly ErrorObject[], root: SchemaNode): StatusCause[] {
  const combinators = errors.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").map((e) => `${e.schemaPath}/`);
  // A value of the wrong type says nothing useful about its format or bounds.
  const mistyped = new Set(errors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const kept = errors.filter(
    (e) => !combinators.some((prefix) => e.schemaPath.startsWith(prefix)) && (e.keyword === "type" || !mistyped.has(e.instancePath)),
  );
  return kept.map((e) => causeOf(e, root)).filter((c): c is StatusCause => c !== undefined);
}
