// Query parameters read the way kube-apiserver's parameter codec reads them, so a client written
// against Kubernetes gets the same answer here: the first value of a repeated parameter counts,
// booleans are lenient as kube's are, integers are Go's int64 and anything else is a 400 naming them.

import { ApiError, badRequest, invalid, type StatusCause } from "../machinery/errors.js";

/**
 * As kube's Convert_Slice_string_To_bool: absent, "0" and "false" in any case are false; any other
 * value, the empty one of `?watch` included, is true. (So `watch=True`, `watch=1` and `watch=t` watch.)
 */
export const queryBool = (value: string | null): boolean => value !== null && value !== "0" && value.toLowerCase() !== "false";

/** A boolean parameter kube keeps as a pointer: undefined when absent. */
export const queryOptionalBool = (params: URLSearchParams, name: string): boolean | undefined =>
  params.has(name) ? queryBool(params.get(name)) : undefined;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** As Go's strconv.ParseInt(value, 10, 64), which kube uses: an optional sign, decimal digits, within int64. */
export function queryInt64(params: URLSearchParams, name: string): bigint | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!/^[+-]?\d+$/.test(value)) throw badRequest(`the query parameter ${name} must be an integer such as 500, not ${JSON.stringify(value)}`);
  const n = BigInt(value);
  if (n < INT64_MIN || n > INT64_MAX) throw badRequest(`the query parameter ${name} is ${value}, out of the range of a 64-bit integer`);
  return n;
}

/** A parameter with a fixed set of values; undefined when absent or empty (kube's default then applies). */
export function queryEnum<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[], options: OptionsKind): T | undefined {
  const value = params.get(name);
  if (value === null || value === "") return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw invalidOptions(options, [notSupported(name, value, allowed)]);
}

/** The kube option kinds whose bad values are a 422 Invalid, as kube-apiserver validates them. */
export type OptionsKind = "ListOptions" | "CreateOptions" | "UpdateOptions" | "PatchOptions" | "DeleteOptions";

/** kube's answer to options that parse but do not validate: `ListOptions.meta.k8s.io "" is invalid: …`. */
export const invalidOptions = (kind: OptionsKind, causes: StatusCause[]): ApiError => invalid({ kind, group: "meta.k8s.io", name: "" }, causes);

export const notSupported = (field: string, value: unknown, allowed: readonly string[]): StatusCause => ({
  field,
  reason: "FieldValueNotSupported",
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
});

export const forbiddenOption = (field: string, why: string): StatusCause => ({ field, reason: "FieldValueForbidden", message: `Forbidden: ${why}` });
