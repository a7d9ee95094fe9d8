// JSON Patch (RFC 6902) for PATCH requests, with kube-apiserver's answers: a malformed patch document
// is 400 BadRequest; a patch that does not apply to the object (failed test, missing path) is 422 Invalid.

import fastJsonPatch, { type Operation, type Validator } from "fast-json-patch";
import { ApiError, badRequest } from "../../machinery/errors.js";
import { cloneJson, isJsonObject } from "./json-value.js";

const { applyOperation, JsonPatchError, validator } = fastJsonPatch;

/** kube-apiserver refuses longer patches with 413, to bound the work one request can cause. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;
/** As kube-apiserver's JSONPatchMaxCopyBytes: copies double what they copy, so together they are capped. */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

const OPS = ["add", "remove", "replace", "move", "copy", "test"] as const;
type Op = (typeof OPS)[number];

/** Applies a JSON Patch document to a copy of `target`; neither input is changed. */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  const operations = validateJsonPatch(ops);
  let document = cloneJson(target);
  let copied = 0;
  operations.forEach((operation, index) => {
    try {
      if (operation.op === "copy") {
        copied += JSON.stringify(valueAt(document, operation.from) ?? null).length;
        if (copied > MAX_JSON_PATCH_COPY_BYTES) throw new TooMuchCopied();
      }
      document = applyOperation(document, operation, checkOperation, true, true, index).newDocument;
    } catch (err) {
      throw notApplicable(index, operation, err);
    }
  });
  return document;
}

class TooMuchCopied extends Error {}

/**
 * The library's checks, except that `from` of a move or copy is looked up in place: the library proves
 * it exists by applying a get to a deep copy of the whole object, once per operation.
 */
const checkOperation: Validator<unknown> = (operation, index, document, existingPath) => {
  if (document === undefined || (operation.op !== "move" && operation.op !== "copy")) return validator(operation, index, document, existingPath);
  validator(operation, index);
  if (valueAt(document, operation.from) === undefined)
    throw new JsonPatchError("Cannot perform the operation from a path that does not exist", "OPERATION_FROM_UNRESOLVABLE", index, operation, document);
};

/** The value a JSON pointer names, or undefined; own properties and list indexes only. */
function valueAt(document: unknown, pointer: string): unknown {
  if (pointer === "") return document;
  let at = document;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(at)) at = /^\d+$/.test(key) ? at[Number(key)] : undefined;
    else if (isJsonObject(at)) at = Object.prototype.hasOwnProperty.call(at, key) ? at[key] : undefined;
    else return undefined;
    if (at === undefined) return undefined;
  }
  return at;
}

/** Checks the shape of a JSON Patch document and returns a private copy of its operations. */
export function validateJsonPatch(ops: unknown): Operation[] {
  if (!Array.isArray(ops))
    throw badRequest(`a JSON patch must be an array of operations such as [{"op":"replace","path":"/spec/description","value":"new"}], got ${describeType(ops)}`);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS)
    throw new ApiError(413, "RequestEntityTooLarge", `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  ops.forEach((op, index) => {
    const why = malformation(op);
    if (why) throw badRequest(`JSON patch operation ${index} is invalid: ${why}`);
  });
  return cloneJson(ops) as Operation[];
}

function malformation(op: unknown): string | undefined {
  if (!isJsonObject(op)) return `each operation must be an object with "op" and "path", got ${describeType(op)}`;
  if (typeof op.op !== "string" || !(OPS as readonly string[]).includes(op.op))
    return `"op" must be one of ${OPS.join(", ")}; got ${op.op === undefined ? "nothing" : JSON.stringify(op.op)}`;
  const kind = op.op as Op;
  const path = pointerProblem("path", op.path);
  if (path) return path;
  if ((kind === "move" || kind === "copy") && pointerProblem("from", op.from)) return `${kind} needs ${pointerProblem("from", op.from)}`;
  if ((kind === "add" || kind === "replace" || kind === "test") && !("value" in op)) return `${kind} needs a "value"`;
  if (kind === "move" && typeof op.from === "string" && typeof op.path === "string" && op.path.startsWith(`${op.from}/`))
    return `cannot move ${op.from} into its own child ${op.path}`;
  return undefined;
}

/** A JSON Pointer (RFC 6901) is "" or a series of "/segment", where "~" appears only as "~0" or "~1". */
function pointerProblem(field: "path" | "from", value: unknown): string | undefined {
  if (typeof value !== "string") return `a "${field}" string such as "/spec/description"`;
  if (value !== "" && !value.startsWith("/")) return `a "${field}" that starts with "/" (a JSON pointer), got ${JSON.stringify(value)}`;
  if (/~(?![01])/.test(value)) return `a "${field}" where "~" is escaped as "~0" and "/" inside a name as "~1", got ${JSON.stringify(value)}`;
  return undefined;
}

/** As kube-apiserver: 422 Invalid, "the server rejected our request…", with what went wrong as the cause. */
function notApplicable(index: number, operation: Operation, err: unknown): ApiError {
  const what = `${operation.op} ${operation.path === "" ? "(the whole object)" : operation.path}`;
  const detail = `operation ${index} (${what}): ${reasonOf(operation, err)}`;
  return new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: ${detail}`, {
    causes: [{ reason: "UnexpectedServerResponse", message: detail }],
  });
}

function reasonOf(operation: Operation, err: unknown): string {
  if (err instanceof TooMuchCopied) return `the copies of this patch add up to more than ${MAX_JSON_PATCH_COPY_BYTES} bytes`;
  if (!(err instanceof JsonPatchError)) {
    if (err instanceof TypeError && /__proto__|prototype/.test(err.message)) return "paths through __proto__ or constructor/prototype are not allowed";
    throw err;
  }
  const from = "from" in operation ? operation.from : "";
  switch (err.name) {
    case "TEST_OPERATION_FAILED":
      return "test failed: the value at the path is not the one the patch expects";
    case "OPERATION_PATH_UNRESOLVABLE":
      return "the path does not exist in the object";
    case "OPERATION_FROM_UNRESOLVABLE":
      return `the "from" path ${from} does not exist in the object`;
    case "OPERATION_PATH_CANNOT_ADD":
      return "the parent of the path does not exist in the object (add creates only the last segment)";
    case "OPERATION_PATH_ILLEGAL_ARRAY_INDEX":
      return "a list index must be a non-negative integer or \"-\" (the end of the list)";
    case "OPERATION_VALUE_OUT_OF_BOUNDS":
      return "the list index is past the end of the list";
    default:
      return err.message;
  }
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return isJsonObject(value) ? "an object" : `a ${typeof value}`;
}
