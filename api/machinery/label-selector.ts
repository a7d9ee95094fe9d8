// Kubernetes label selectors: the string form of ?labelSelector= and `kubectl -l`, and the structured form
// (matchLabels / matchExpressions) objects embed. Invalid selectors are ApiError 400 BadRequest.
//
//   a=b  a==b  a!=b  a in (x,y)  a notin (x)  a  !a  a>3  a<3      joined by commas, all must hold
//
// != and notin also match objects without the label, as in Kubernetes.

import { badRequest } from "./errors.js";

export type LabelOperator = "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Empty for Exists/DoesNotExist; one integer (as a string) for Gt/Lt. */
  values: string[];
}

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

export function parseLabelSelector(selector: string): LabelMatcher {
  return matcherOf(parseLabelSelectorRequirements(selector));
}

/** The structured form, as in metav1.LabelSelector; an empty selector matches everything. */
export interface StructuredLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function structuredLabelSelector(selector: StructuredLabelSelector): LabelMatcher {
  const requirements: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => {
    checkKey(key, `matchLabels`);
    checkValue(value, `matchLabels["${key}"]`);
    return { key, operator: "In", values: [value] };
  });
  for (const [i, e] of (selector.matchExpressions ?? []).entries()) {
    const where = `matchExpressions[${i}]`;
    checkKey(e.key, where);
    const values = e.values ?? [];
    if (e.operator === "In" || e.operator === "NotIn") {
      if (values.length === 0) throw badRequest(`${where}: the ${e.operator} operator needs at least one value`);
      values.forEach((v) => checkValue(v, where));
      requirements.push({ key: e.key, operator: e.operator, values });
    } else if (e.operator === "Exists" || e.operator === "DoesNotExist") {
      if (values.length > 0) throw badRequest(`${where}: the ${e.operator} operator takes no values`);
      requirements.push({ key: e.key, operator: e.operator, values: [] });
    } else {
      throw badRequest(`${where}: operator "${e.operator}" is not one of In, NotIn, Exists, DoesNotExist`);
    }
  }
  return matcherOf(requirements);
}

export function matcherOf(requirements: readonly LabelRequirement[]): LabelMatcher {
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

function matches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case "In":
      return has && r.values.includes(value!);
    case "NotIn":
      return !has || !r.values.includes(value!);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || !/^-?\d+$/.test(value!)) return false;
      const n = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === "Gt" ? n > bound : n < bound;
    }
  }
}

type Token = { kind: "id"; text: string } | { kind: "op"; text: string } | { kind: "end" };

/** Parses the string form into requirements; throws ApiError 400 saying what is wrong and how to write it. */
export function parseLabelSelectorRequirements(selector: string): LabelRequirement[] {
  const fail: (why: string) => never = (why) => {
    throw badRequest(`invalid label selector "${selector}": ${why}`);
  };
  const tokens = tokenize(selector, fail);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const requirements: LabelRequirement[] = [];
  if (peek().kind === "end") return requirements;

  for (;;) {
    let negated = false;
    if (isOp(peek(), "!")) {
      next();
      negated = true;
    }
    const keyToken = next();
    if (keyToken.kind !== "id") fail(`expected a label key${describe(keyToken)}`);
    const key = keyToken.text;
    const keyError = keyProblem(key);
    if (keyError) fail(keyError);
    const after = peek();
    if (negated || after.kind === "end" || isOp(after, ",")) {
      requirements.push({ key, operator: negated ? "DoesNotExist" : "Exists", values: [] });
    } else if (after.kind === "id" && (after.text === "in" || after.text === "notin")) {
      next();
      const values = valueSet(after.text);
      requirements.push({ key, operator: after.text === "in" ? "In" : "NotIn", values });
    } else if (after.kind === "op" && ["=", "==", "!="].includes(after.text)) {
      next();
      const value = exactValue();
      requirements.push({ key, operator: after.text === "!=" ? "NotIn" : "In", values: [value] });
    } else if (after.kind === "op" && (after.text === ">" || after.text === "<")) {
      next();
      const bound = next();
      if (bound.kind !== "id" || !/^-?\d+$/.test(bound.text)) fail(`"${key} ${after.text}" needs an integer, as in ${key}${after.text}3`);
      requirements.push({ key, operator: after.text === ">" ? "Gt" : "Lt", values: [bound.text] });
    } else {
      fail(`after the key "${key}" expected =, ==, !=, in, notin, > or <${describe(after)}`);
    }
    const sep = next();
    if (sep.kind === "end") break;
    if (!isOp(sep, ",")) fail(`expected "," between requirements${describe(sep)}`);
  }
  return requirements;

  function exactValue(): string {
    const t = peek();
    if (t.kind === "end" || isOp(t, ",")) return "";
    next();
    if (t.kind !== "id") fail(`expected a label value${describe(t)}`);
    const problem = valueProblem(t.text);
    if (problem) fail(problem);
    return t.text;
  }

  function valueSet(op: string): string[] {
    if (!isOp(next(), "(")) fail(`"${op}" must be followed by a parenthesized list, as in "env ${op} (prod,staging)"`);
    if (isOp(peek(), ")")) fail(`the value list after "${op}" cannot be empty`);
    const values: string[] = [];
    for (;;) {
      // An empty slot, as in "(a,)", is the empty value, as in Kubernetes.
      const t = peek();
      const value = t.kind === "id" ? (next(), t.text) : "";
      const problem = valueProblem(value);
      if (problem) fail(problem);
      values.push(value);
      const sep = next();
      if (isOp(sep, ")")) return values;
      if (!isOp(sep, ",")) fail(`expected "," or ")" in the value list after "${op}"${describe(sep)}`);
    }
  }
}

const isOp = (t: Token, text: string) => t.kind === "op" && t.text === text;

function describe(t: Token): string {
  return t.kind === "end" ? ", but the selector ended" : `, not "${t.text}"`;
}

function tokenize(selector: string, fail: (why: string) => never): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < selector.length) {
    const ch = selector[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (selector.startsWith("==", i) || selector.startsWith("!=", i)) {
      tokens.push({ kind: "op", text: selector.slice(i, i + 2) });
      i += 2;
    } else if ("=!(),<>".includes(ch)) {
      tokens.push({ kind: "op", text: ch });
      i++;
    } else {
      let j = i;
      while (j < selector.length && !/[\s=!(),<>]/.test(selector[j]!)) j++;
      tokens.push({ kind: "id", text: selector.slice(i, j) });
      i = j;
    }
  }
  const last = tokens[tokens.length - 1];
  if (last && isOp(last, ",")) fail("it ends with a comma");
  tokens.push({ kind: "end" });
  return tokens;
}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid (a qualified name: optional DNS-subdomain prefix and "/", then a name of ≤ 63 characters), or undefined. */
export function keyProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `the key prefix "${prefix}" must be a lower-case DNS subdomain such as example.com`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `the key "${key}" must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (optionally prefixed by a DNS subdomain and "/")`;
  }
  return undefined;
}

/** Why a label value is invalid (empty, or ≤ 63 characters of letters, digits, "-", "_", "." framed by alphanumerics), or undefined. */
export function valueProblem(value: string): string | undefined {
  if (value === "" || (value.length <= 63 && NAME.test(value))) return undefined;
  return `the value "${value}" must be at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
}

function checkKey(key: string, where: string): void {
  const problem = keyProblem(key);
  if (problem) throw badRequest(`${where}: ${problem}`);
}

function checkValue(value: string, where: string): void {
  const problem = valueProblem(value);
  if (problem) throw badRequest(`${where}: ${problem}`);
}

// Field selectors travel with label selectors in list and watch requests; they live in field-selector.ts.
export { parseFieldSelector } from "./field-selector.js";
