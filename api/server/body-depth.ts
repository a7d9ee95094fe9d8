// How deeply a request body may nest. Every later step (validation, pruning, managed fields, patching)
// walks values recursively, so the limit is checked first, by loops that never recurse themselves.

import { ApiError, badRequest } from "../machinery/errors.js";

/**
 * Objects and lists inside one another, the root counting as 1. kube-apiserver allows 10,000 for JSON;
 * claw's kinds nest less than 10 deep, so 100 leaves room for any real object and stops runaway ones.
 */
export const MAX_BODY_DEPTH = 100;

export const tooDeep = (): ApiError =>
  badRequest(
    `the request body nests deeper than ${MAX_BODY_DEPTH} levels; no object of this API nests that deep, so remove the deeply nested value and send it again`,
  );

/** A patch whose result would nest past the limit: 422, as kube answers a patch that cannot apply. */
export const patchedTooDeep = (): ApiError =>
  new ApiError(422, "Invalid", `the patched object would nest deeper than ${MAX_BODY_DEPTH} levels; no object of this API nests that deep, so patch a shallower path`);

/** Whether JSON text opens more than `max` objects or arrays inside one another; brackets in strings do not count. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * Which limit a parsed value breaks, if any: nesting deeper than `depth`, or a size (values plus the
 * characters of keys and strings) above `size`. YAML aliases make a value deeper and larger than its
 * text; the walk stops as soon as either limit is passed, so it costs no more than the limits.
 */
export function valueExceeds(value: unknown, limits: { depth: number; size: number }): "depth" | "size" | undefined {
  let size = 0;
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [at, depth] = next;
    size += typeof at === "string" ? at.length + 1 : 1;
    if (size > limits.size) return "size";
    if (typeof at !== "object" || at === null) continue;
    if (depth > limits.depth) return "depth";
    if (Array.isArray(at)) for (const item of at) pending.push([item, depth + 1]);
    else
      for (const [key, child] of Object.entries(at)) {
        size += key.length;
        pending.push([child, depth + 1]);
      }
  }
  return undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
