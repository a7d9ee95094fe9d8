// Path elements as FieldsV1 writes them: `f:<field>`, `k:<key fields as JSON>`, `v:<set value as JSON>`,
// `i:<index>`; and the way Kubernetes prints a path of them in messages (`.spec.conditions[type="Ready"]`).

import { canonicalJson, isJsonObject } from "./json-value.js";

export type PathKey = string;

export const fieldKey = (name: string): PathKey => `f:${name}`;
export const valueKey = (value: unknown): PathKey => `v:${canonicalJson(value)}`;
export const indexKey = (index: number): PathKey => `i:${index}`;
/** The fields that identify an item of a map-keyed list, in name order as structured-merge-diff sorts them. */
export const keyedKey = (fields: Record<string, unknown>): PathKey => `k:${canonicalJson(fields)}`;

export const isPathKey = (key: string): boolean => /^[fkvi]:/.test(key);

/**
 * A path grown one element per level without copying what is above it, so walking a value costs the
 * same at any depth; it becomes an array only when it is reported. Undefined is the root.
 */
export type PathChain = { readonly up: PathChain; readonly key: PathKey } | undefined;

export const extendPath = (up: PathChain, key: PathKey): PathChain => ({ up, key });

export function pathOf(chain: PathChain): PathKey[] {
  const out: PathKey[] = [];
  for (let at = chain; at !== undefined; at = at.up) out.push(at.key);
  return out.reverse();
}

/** Sort order of path elements: fields, then keyed items, then set values, then indexes; then by text. */
export function comparePathKeys(a: PathKey, b: PathKey): number {
  const rank = (k: PathKey) => "fkvi".indexOf(k[0] ?? "f");
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** One element as Kubernetes prints it: `.name`, `[type="Ready"]`, `[="value"]`, `[3]`. */
export function describeKey(key: PathKey): string {
  const body = key.slice(2);
  switch (key[0]) {
    case "f":
      return `.${body}`;
    case "i":
      return `[${body}]`;
    case "v":
      return `[=${body}]`;
    case "k": {
      const fields = parseJson(body);
      if (!isJsonObject(fields)) return `[${body}]`;
      return `[${Object.entries(fields)
        .map(([name, value]) => `${name}=${canonicalJson(value)}`)
        .join(",")}]`;
    }
    default:
      return key;
  }
}

/** A whole path as Kubernetes prints it, such as `.status.conditions[type="Ready"].status`. */
export const describePath = (path: readonly PathKey[]): string => path.map(describeKey).join("");

/** A path as an API field reference, without the leading dot: `spec.conditions[type="Ready"]`. */
export const fieldReference = (path: readonly PathKey[]): string => describePath(path).replace(/^\./, "");

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
