// Canonical JSON: the one encoding every audit hash is computed over. Object keys sorted by UTF-16 code
// units, no whitespace, strings and numbers exactly as ECMAScript's JSON.stringify writes them. For the
// JSON values audit entries hold (strings, finite numbers, booleans, null, arrays, plain objects) this is
// RFC 8785 (JCS), so a SIEM or a script in another language can recompute any entry's hash.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Canonical JSON text of a value; throws on what JSON cannot carry (undefined, NaN, Infinity, functions). */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${value} has no canonical JSON form`);
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      return canonicalObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`a ${typeof value} has no canonical JSON form`);
  }
}

function canonicalObject(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const member = obj[key];
    // JSON.stringify drops undefined members; so does the canonical form.
    if (member === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJson(member)}`;
    first = false;
  }
  return `${out}}`;
}
