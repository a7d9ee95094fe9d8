// kubectl sends the self reviews as Kubernetes protobuf (`k8s\0` + runtime.Unknown) and does not fall back to
// JSON on 415, so the two review kinds are decoded here into the JSON shape the strict parser checks. Only
// the fields of these kinds are read (generated.proto of authorization/v1 and authentication/v1); metadata
// and status are skipped whole, any other field or wire type is a 400. Nesting is fixed by the schema.

import { badRequest } from "../machinery/errors.js";

export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

type Fields = Map<number, Uint8Array[] | bigint[]>;

const malformed = (what: string) => badRequest(`the protobuf body is malformed: ${what}; send application/json or Kubernetes protobuf`);

/** Top-level fields of one message: length-delimited ones as bytes, varints as numbers. */
function readFields(bytes: Uint8Array, allowed: readonly number[], where: string): Fields {
  const fields: Fields = new Map();
  let i = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (i >= bytes.length) throw malformed(`a number runs past the end in ${where}`);
      const b = bytes[i++]!;
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
    }
    throw malformed(`a number is too long in ${where}`);
  };
  while (i < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (!allowed.includes(field)) throw malformed(`${where} has no field ${field}`);
    const list = fields.get(field) ?? [];
    if (wire === 0) (list as bigint[]).push(varint());
    else if (wire === 2) {
      const length = Number(varint());
      if (length > bytes.length - i) throw malformed(`field ${field} of ${where} runs past the end`);
      (list as Uint8Array[]).push(bytes.subarray(i, i + length));
      i += length;
    } else throw malformed(`field ${field} of ${where} has wire type ${wire}`);
    fields.set(field, list);
  }
  return fields;
}

function bytesOf(fields: Fields, field: number): Uint8Array | undefined {
  const last = fields.get(field)?.at(-1);
  return last instanceof Uint8Array ? last : undefined;
}

function stringsOf(fields: Fields, names: Record<number, string>, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, name] of Object.entries(names)) {
    const raw = bytesOf(fields, Number(n));
    if (raw === undefined) continue;
    try {
      out[name] = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      throw malformed(`${where}.${name} is not UTF-8`);
    }
  }
  return out;
}

/** The envelope: apiVersion, kind and the raw object. */
function unwrap(body: Uint8Array): { apiVersion: string; kind: string; raw: Uint8Array } {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) throw malformed("it does not start with the k8s\\0 prefix");
  const unknown = readFields(body.subarray(MAGIC.length), [1, 2, 3, 4], "the envelope");
  const typeMeta = stringsOf(readFields(bytesOf(unknown, 1) ?? new Uint8Array(), [1, 2], "typeMeta"), { 1: "apiVersion", 2: "kind" }, "typeMeta");
  return { apiVersion: typeMeta.apiVersion ?? "", kind: typeMeta.kind ?? "", raw: bytesOf(unknown, 2) ?? new Uint8Array() };
}

const RESOURCE_ATTRIBUTES = { 1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name" };

/** A SelfSubjectAccessReview, SelfSubjectRulesReview or SelfSubjectReview as the JSON object it stands for. */
export function decodeReview(body: Uint8Array): Record<string, unknown> {
  const { apiVersion, kind, raw } = unwrap(body);
  if (kind === "SelfSubjectReview") {
    readFields(raw, [1, 2], kind);
    return { apiVersion, kind };
  }
  if (kind === "SelfSubjectRulesReview") {
    const rules = readFields(raw, [1, 2, 3], kind);
    const spec = readFields(bytesOf(rules, 2) ?? new Uint8Array(), [1], "spec");
    return { apiVersion, kind, spec: stringsOf(spec, { 1: "namespace" }, "spec") };
  }
  if (kind !== "SelfSubjectAccessReview") return { apiVersion, kind };
  const review = readFields(raw, [1, 2, 3], kind);
  const spec = readFields(bytesOf(review, 2) ?? new Uint8Array(), [1, 2], "spec");
  const resource = bytesOf(spec, 1);
  const nonResource = bytesOf(spec, 2);
  const out: Record<string, unknown> = {};
  if (resource) {
    const fields = readFields(resource, [1, 2, 3, 4, 5, 6, 7, 8, 9], "spec.resourceAttributes");
    const selectors = { ...(fields.has(8) ? { fieldSelector: {} } : {}), ...(fields.has(9) ? { labelSelector: {} } : {}) };
    out.resourceAttributes = { ...stringsOf(fields, RESOURCE_ATTRIBUTES, "spec.resourceAttributes"), ...selectors };
  }
  if (nonResource) out.nonResourceAttributes = stringsOf(readFields(nonResource, [1, 2], "spec.nonResourceAttributes"), { 1: "path", 2: "verb" }, "spec.nonResourceAttributes");
  return { apiVersion, kind, spec: out };
}
