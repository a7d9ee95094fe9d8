// Turns a list-rule violation found while tracking fields into the 422 Invalid a client can act on.

import { invalid } from "../../machinery/errors.js";
import { GROUP } from "../../machinery/meta.js";
import { isJsonObject } from "./json-value.js";
import { fieldReference } from "./path-element.js";
import { TypedValueError } from "./typed-entries.js";

/** Rethrows TypedValueError as 422 Invalid naming the object and the field; anything else as it is. */
export function asInvalid(err: unknown, obj: unknown): unknown {
  if (!(err instanceof TypedValueError)) return err;
  const source = isJsonObject(obj) ? obj : {};
  const metadata = isJsonObject(source.metadata) ? source.metadata : {};
  const ref = {
    kind: typeof source.kind === "string" ? source.kind : "object",
    group: GROUP,
    ...(typeof metadata.name === "string" ? { name: metadata.name } : {}),
  };
  return invalid(ref, [{ field: fieldReference(err.path), reason: err.reason, message: err.detail }]);
}
