// Field selectors (?fieldSelector=, `kubectl --field-selector`): `metadata.name=x`, `==`, `!=`, comma-joined,
// with `\,` `\=` `\!` `\\` escapes in values. Only metadata.name and metadata.namespace are selectable, as for
// custom resources in Kubernetes; anything else is ApiError 400 BadRequest.

import { badRequest } from "./errors.js";

export const SELECTABLE_FIELDS = ["metadata.name", "metadata.namespace"] as const;
export type SelectableField = (typeof SELECTABLE_FIELDS)[number];

export interface FieldRequirement {
  field: SelectableField;
  operator: "=" | "!=";
  value: string;
}

/** What a field selector reads; every KubeObject fits. Cluster-scoped objects have the namespace "". */
export interface FieldSelectable {
  metadata: { name: string; namespace?: string };
}

export type FieldMatcher = (obj: FieldSelectable) => boolean;

export function parseFieldSelector(selector: string): FieldMatcher {
  const requirements = parseFieldSelectorRequirements(selector);
  return (obj) =>
    requirements.every((r) => {
      const actual = r.field === "metadata.name" ? obj.metadata.name : (obj.metadata.namespace ?? "");
      return r.operator === "=" ? actual === r.value : actual !== r.value;
    });
}

/** The exact name a selector pins (`metadata.name=x`), if any: lets a list read one key instead of scanning. */
export function exactNameOf(requirements: readonly FieldRequirement[]): string | undefined {
  return requirements.find((r) => r.field === "metadata.name" && r.operator === "=")?.value;
}

export function parseFieldSelectorRequirements(selector: string): FieldRequirement[] {
  const fail = (why: string): never => {
    throw badRequest(`invalid field selector "${selector}": ${why}`);
  };
  if (selector.trim() === "") return [];
  return splitUnescaped(selector, ",").map((term) => {
    const { field, operator, rawValue } = splitTerm(term) ?? fail(`"${term}" is not field=value, field==value or field!=value`);
    const key = field.trim();
    if (!(SELECTABLE_FIELDS as readonly string[]).includes(key)) {
      fail(`field label not supported: ${key}; select by ${SELECTABLE_FIELDS.join(" or ")}`);
    }
    return { field: key as SelectableField, operator, value: unescape(rawValue, fail) };
  });
}

function splitTerm(term: string): { field: string; operator: "=" | "!="; rawValue: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === "\\") {
      i++;
      continue;
    }
    if (term.startsWith("!=", i)) return { field: term.slice(0, i), operator: "!=", rawValue: term.slice(i + 2) };
    if (term.startsWith("==", i)) return { field: term.slice(0, i), operator: "=", rawValue: term.slice(i + 2) };
    if (term[i] === "=") return { field: term.slice(0, i), operator: "=", rawValue: term.slice(i + 1) };
  }
  return undefined;
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unescape(value: string, fail: (why: string) => never): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === "\\") {
      const next = value[i + 1];
      if (next === undefined || !"\\,=!".includes(next)) fail(`"\\${next ?? ""}" is not an escape; only \\\\ \\, \\= and \\! are`);
      out += next;
      i++;
    } else if (ch === "," || ch === "=") {
      fail(`"${ch}" in a value must be escaped as \\${ch}`);
    } else {
      out += ch;
    }
  }
  return out;
}
