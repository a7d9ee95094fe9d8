// JSON Merge Patch (RFC 7386): apply a patch, or compute the patch that turns one document into another.

import { badRequest } from "../../machinery/errors.js";
import { cloneJson, isJsonObject, jsonEqual, setOwn, type JsonObject } from "./json-value.js";

/**
 * Applies `patch` to `target` as RFC 7386 says: objects merge key by key, `null` removes a key,
 * anything else (arrays included) replaces. Neither input is changed; the result shares nothing with them.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: JsonObject = isJsonObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, applyMergePatch(Object.prototype.hasOwnProperty.call(result, key) ? result[key] : undefined, value));
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
    if (had && jsonEqual(old, value)) continue;
    if (had && isJsonObject(old) && isJsonObject(value)) setOwn(patch, key, createMergePatch(old, value));
    else setOwn(patch, key, cloneJson(value));
  }
  return patch;
}
