// kubectl's JSONPath subset for `-o jsonpath=` and `-o custom-columns=`: `{.a.b}`, `[n]`, `[*]`,
// `['key']`, `..name`, filters `[?(@.type=="Ready")]`, `{range …}…{end}`, `{"\n"}` and text around them.

import { UsageError } from "../cli-errors.js";

type Step =
  | { type: "field"; name: string }
  | { type: "index"; index: number }
  | { type: "wildcard" }
  | { type: "recursive"; name: string }
  | { type: "filter"; path: Step[]; op?: FilterOp; value?: unknown };
type FilterOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

type Node = { type: "text"; text: string } | { type: "path"; steps: Step[] } | { type: "range"; steps: Step[]; body: Node[] };

/** A parsed template; `execute` may be called for many objects. */
export class JsonPathTemplate {
  private constructor(private readonly nodes: Node[]) {}

  static parse(template: string): JsonPathTemplate {
    const { nodes, rest } = parseNodes(tokens(template), false);
    if (rest.length) throw new UsageError(`jsonpath template "${template}": {end} without {range}`);
    return new JsonPathTemplate(nodes);
  }

  /** The template's text for data: several results of one path joined by spaces, strings bare. */
  execute(data: unknown): string {
    return run(this.nodes, data);
  }

  /** The values one `{path}` template finds (custom-columns), undefined when it is not a single path. */
  values(data: unknown): unknown[] | undefined {
    const only = this.nodes.filter((n) => n.type !== "text" || n.text !== "");
    if (only.length !== 1 || only[0]!.type !== "path") return undefined;
    return evaluate(only[0]!.steps, [data]);
  }
}

type Token = { text: string } | { expr: string };

function tokens(template: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{", i);
    if (open < 0) {
      out.push({ text: template.slice(i) });
      break;
    }
    if (open > i) out.push({ text: template.slice(i, open) });
    const close = closingBrace(template, open);
    if (close < 0) throw new UsageError(`jsonpath template "${template}": unclosed {`);
    out.push({ expr: template.slice(open + 1, close).trim() });
    i = close + 1;
  }
  return out;
}

/** The `}` that closes the `{` at open, skipping quoted text (`{"}"}`). */
function closingBrace(s: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "}") return i;
  }
  return -1;
}

function parseNodes(input: Token[], inRange: boolean): { nodes: Node[]; rest: Token[] } {
  const nodes: Node[] = [];
  let rest = input;
  while (rest.length) {
    const [token, ...after] = rest as [Token, ...Token[]];
    rest = after;
    if ("text" in token) {
      nodes.push({ type: "text", text: token.text });
    } else if (token.expr === "end") {
      if (inRange) return { nodes, rest: [token, ...rest] };
      throw new UsageError("jsonpath template: {end} without {range}");
    } else if (token.expr.startsWith("range ")) {
      const inner = parseNodes(rest, true);
      if (!inner.rest.length) throw new UsageError(`jsonpath template: {${token.expr}} without {end}`);
      nodes.push({ type: "range", steps: parsePath(token.expr.slice(6).trim()), body: inner.nodes });
      rest = inner.rest.slice(1);
    } else if (/^(["']).*\1$/s.test(token.expr)) {
      nodes.push({ type: "text", text: unquote(token.expr) });
    } else {
      nodes.push({ type: "path", steps: parsePath(token.expr) });
    }
  }
  return { nodes, rest };
}

/** `.a.b[0]['c.d'][*]..e[?(@.x=="y")]`, with `$` or `@` allowed in front and `\.` for a dot in a name. */
export function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  let i = path.startsWith("$") || path.startsWith("@") ? 1 : 0;
  const fail = (why: string): never => {
    throw new UsageError(`jsonpath "${path}": ${why} at character ${i + 1}`);
  };
  const name = (): string => {
    let out = "";
    while (i < path.length && !".[".includes(path[i]!)) {
      if (path[i] === "\\" && i + 1 < path.length) i++;
      out += path[i++];
    }
    return out;
  };
  while (i < path.length) {
    if (path.startsWith("..", i)) {
      i += 2;
      steps.push({ type: "recursive", name: name() });
    } else if (path[i] === ".") {
      i++;
      const n = name();
      if (n === "*") steps.push({ type: "wildcard" });
      else if (n) steps.push({ type: "field", name: n });
    } else if (path[i] === "[") {
      const close = bracketEnd(path, i);
      if (close < 0) fail("unclosed [");
      steps.push(bracketStep(path.slice(i + 1, close).trim(), fail));
      i = close + 1;
    } else if (steps.length === 0 && i === 0) {
      const n = name();
      if (n) steps.push({ type: "field", name: n });
    } else {
      fail(`unexpected "${path[i]}"`);
    }
  }
  return steps;
}

function bracketEnd(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[" || c === "(") depth++;
    else if ((c === "]" || c === ")") && --depth === 0) return i;
  }
  return -1;
}

function bracketStep(inner: string, fail: (why: string) => never): Step {
  if (inner === "*") return { type: "wildcard" };
  if (/^-?\d+$/.test(inner)) return { type: "index", index: Number(inner) };
  if (/^(["']).*\1$/s.test(inner)) return { type: "field", name: inner.slice(1, -1) };
  const filter = /^\?\((.*)\)$/s.exec(inner);
  if (!filter) return fail(`unsupported [${inner}] (use [n], [*], ['key'] or [?(@.field=="value")])`);
  const m = /^(@[^\s=!<>]*)\s*(==|!=|<=|>=|<|>)\s*(.+)$/s.exec(filter[1]!.trim());
  if (!m) return { type: "filter", path: parsePath(filter[1]!.trim()) };
  const literal = m[3]!.trim();
  const value = /^(["']).*\1$/s.test(literal) ? literal.slice(1, -1) : literal === "true" || literal === "false" ? literal === "true" : Number(literal);
  return { type: "filter", path: parsePath(m[1]!), op: m[2] as FilterOp, value };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return isRecord(v) ? Object.values(v) : [];
}

function evaluate(steps: Step[], start: unknown[]): unknown[] {
  let values = start;
  for (const step of steps) values = values.flatMap((v) => apply(step, v));
  return values;
}

function apply(step: Step, v: unknown): unknown[] {
  switch (step.type) {
    case "field":
      return isRecord(v) && step.name in v ? [v[step.name]] : [];
    case "index": {
      if (!Array.isArray(v)) return [];
      const at = step.index < 0 ? v.length + step.index : step.index;
      return at >= 0 && at < v.length ? [v[at]] : [];
    }
    case "wildcard":
      return children(v);
    case "recursive":
      return descendants(v).flatMap((d) => (step.name === "*" ? children(d) : isRecord(d) && step.name in d ? [d[step.name]] : []));
    case "filter":
      return (Array.isArray(v) ? v : [v]).filter((item) => matches(step, item));
  }
}

function descendants(v: unknown): unknown[] {
  return [v, ...children(v).flatMap(descendants)];
}

function matches(step: Extract<Step, { type: "filter" }>, item: unknown): boolean {
  const found = evaluate(step.path, [item]);
  if (!step.op) return found.length > 0 && found[0] !== false && found[0] !== null;
  return found.some((value) => compare(value, step.op!, step.value));
}

function compare(a: unknown, op: FilterOp, b: unknown): boolean {
  switch (op) {
    case "==":
      return a === b || (typeof b === "number" && Number(a) === b);
    case "!=":
      return !compare(a, "==", b);
    default: {
      const [x, y] = typeof a === "number" || typeof b === "number" ? [Number(a), Number(b)] : [String(a), String(b)];
      return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
    }
  }
}

function run(nodes: Node[], data: unknown): string {
  let out = "";
  for (const node of nodes) {
    if (node.type === "text") out += node.text;
    else if (node.type === "path") out += evaluate(node.steps, [data]).map(formatValue).join(" ");
    else for (const item of evaluate(node.steps, [data])) out += run(node.body, item);
  }
  return out;
}

/** Strings bare, everything else as JSON (kubectl prints maps and lists as JSON). */
export function formatValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function unquote(literal: string): string {
  const body = literal.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}
