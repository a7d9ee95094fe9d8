// JSON Merge Patch (RFC 7386): apply a patch, or compute the patch that turns one document into another.

import { badRequest } from "../../machinery/errors.js";
import { cloneJson, isJsonObject, jsonEqual, setOwn, type JsonObject } from "./json-value.js";

/**
 * Applies `patch` to `target` as RFC 7386 says: objects merge key by key, `null` removes a key,
 * anything else (arrays included) replaces. Neither input is changed; the result shares nothing with them.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  return mergeInto(isJsonObject(target) ? cloneJson(target) : {}, patch);
}

/** Merges `patch` into `result`, a private copy: copying once at the top keeps the cost linear at any depth. */
function mergeInto(result: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = Object.prototype.hasOwnProperty.call(result, key) ? result[key] : undefined;
    setOwn(result, key, isJsonObject(value) ? mergeInto(isJsonObject(current) ? current : {}, value) : cloneJson(value));
  }
  return result;
}

/** Rejects a merge patch that cannot patch an object (kube-apiserver answers 400 to these too). */
export function assertMergePatchObject(patch: unknown): asserts patch is JsonObject {
  if (isJsonObject(patch)) return;
  const got = patch === null ? "null" : Array.isArray(patch) ? "an array" : `a ${typeof patch}`;
  throw badRequest(`a merge patch must be a JSON object such as {"spec":{"description":"new"}}, got ${got}`);
}

/**
 * The merge patch that turns `from` into `to`: changed keys with their new values, removed keys as
 * `null`, arrays whole. Returns `{}` when nothing changed. Values that are themselves `null` in `to`
 * cannot be expressed by a merge patch and come out as removals.
 */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isJsonObject(from) || !isJsonObject(to)) return jsonEqual(from, to) ? {} : cloneJson(to);
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) if (!Object.prototype.hasOwnProperty.call(to, key)) setOwn(patch, key, null);
  for (const [key, value] of Object.entries(to)) {
    const had = Object.prototype.hasOwnProperty.call(from, key);
    const old = had ? from[key] : undefined;
    if (had && isJsonObject(old) && isJsonObject(value)) {
      // Descend without comparing first: comparing whole subtrees at every level would cost depth × size.
      const nested = createMergePatch(old, value);
      if (isJsonObject(nested) && Object.keys(nested).length > 0) setOwn(patch, key, nested);
    } else if (!had || !jsonEqual(old, value)) setOwn(patch, key, cloneJson(value));
  }
  return patch;
}
