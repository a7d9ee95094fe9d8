// The rules Kubernetes applies to ObjectMeta beyond its types: name syntax, label and annotation syntax.
// Messages follow Kubernetes' own wording, so they read the same as kubectl users know them.

import type { StatusCause } from "./errors.js";

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;

const subdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN}$`);
const qualifiedRe = new RegExp(`^${QUALIFIED_NAME}$`);
const labelValueRe = new RegExp(`^${LABEL_VALUE}$`);

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
  `(e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`;
const QUALIFIED_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  `(e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is '${QUALIFIED_NAME}')`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  `(e.g. 'MyValue', or 'my_value', or '12345', regex used for validation is '${LABEL_VALUE}')`;
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

const quote = (s: string) => JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}…` : s);
const invalid = (field: string, value: string, why: string): StatusCause => ({
  field,
  reason: "FieldValueInvalid",
  message: `Invalid value: ${quote(value)}: ${why}`,
});

/** Problems with a DNS subdomain name (an object name or a reference to one); empty when it is valid. */
export function subdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 253) problems.push("must be no more than 253 characters");
  if (!subdomainRe.test(value)) problems.push(SUBDOMAIN_MSG);
  return problems;
}

/** Problems with a qualified name (`prefix/name`), as label keys, annotation keys and finalizers use. */
export function qualifiedNameProblems(value: string): string[] {
  const parts = value.split("/");
  if (parts.length > 2) return [`a qualified name must consist of an optional DNS subdomain prefix and a name, separated by one '/' (${QUALIFIED_MSG})`];
  const name = parts.length === 2 ? (parts[1] ?? "") : value;
  const problems: string[] = [];
  if (parts.length === 2) problems.push(...subdomainProblems(parts[0] ?? "").map((p) => `prefix part ${p}`));
  if (name.length === 0) problems.push("name part must be non-empty");
  else if (name.length > 63) problems.push("name part must be no more than 63 characters");
  if (name.length > 0 && !qualifiedRe.test(name)) problems.push(QUALIFIED_MSG);
  return problems;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks metadata the schema has already type-checked; fields of the wrong type are skipped here. */
export function metadataCauses(metadata: unknown): StatusCause[] {
  if (!isRecord(metadata)) return [];
  const causes: StatusCause[] = [];
  const { name, generateName } = metadata;
  if (name === undefined || name === "") {
    if (typeof generateName !== "string" || generateName === "")
      causes.push({ field: "metadata.name", reason: "FieldValueRequired", message: "Required value: name or generateName is required" });
  } else if (typeof name === "string") {
    for (const p of subdomainProblems(name)) causes.push(invalid("metadata.name", name, p));
  }
  if (typeof generateName === "string" && generateName !== "" && (name === undefined || name === "")) {
    // The server appends a random suffix, so the prefix plus one character must be a valid name.
    for (const p of subdomainProblems(`${generateName}a`)) causes.push(invalid("metadata.generateName", generateName, p));
  }
  if (isRecord(metadata.labels)) {
    for (const [key, value] of Object.entries(metadata.labels)) {
      for (const p of qualifiedNameProblems(key)) causes.push(invalid("metadata.labels", key, p));
      if (typeof value !== "string") continue;
      if (value.length > 63) causes.push(invalid(`metadata.labels[${key}]`, value, "must be no more than 63 characters"));
      else if (!labelValueRe.test(value)) causes.push(invalid(`metadata.labels[${key}]`, value, LABEL_VALUE_MSG));
    }
  }
  if (isRecord(metadata.annotations)) {
    let bytes = 0;
    for (const [key, value] of Object.entries(metadata.annotations)) {
      for (const p of qualifiedNameProblems(key.toLowerCase())) causes.push(invalid("metadata.annotations", key, p));
      bytes += Buffer.byteLength(key) + (typeof value === "string" ? Buffer.byteLength(value) : 0);
    }
    if (bytes > MAX_ANNOTATIONS_BYTES)
      causes.push({ field: "metadata.annotations", reason: "FieldValueTooLong", message: `Too long: must have at most ${MAX_ANNOTATIONS_BYTES} bytes` });
  }
  if (Array.isArray(metadata.finalizers)) {
    metadata.finalizers.forEach((f: unknown, i) => {
      if (typeof f === "string") for (const p of qualifiedNameProblems(f)) causes.push(invalid(`metadata.finalizers[${i}]`, f, p));
    });
  }
  return causes;
}
