// A small JSONPath evaluator for the subset CRD printer columns use, with kubectl's semantics for missing keys
// (no result, not an error).
//
// Supported (optionally wrapped in `{…}`, optionally starting with `$`):
//   .field  .field\.with\.dots  ['field']  ["field"]   child by name
//   .*  [*]                                            every item of an array, or every value of an object (by key)
//   [2]  [-1]                                          array index, negative from the end
//   [1:3]  [:2]  [1:]                                  array slice (end exclusive)
//   [?(@.type=="Ready")]  [?(@.a.b!=3)]  [?(@.n>=2)]  filter items by comparing a relative path with a literal
//                                                      (string in '…' or "…", number, true, false, null)
//   [?(@.ready)]                                       filter items where a relative path exists
// Not supported (rejected with JsonPathError): recursive descent `..`, unions `[a,b]`, `range`/`end`, functions.

export class JsonPathError extends Error {
  constructor(expression: string, why: string) {
    super(`invalid JSONPath "${expression}": ${why}`);
    this.name = "JsonPathError";
  }
}

/** Every value the path selects, in document order; an empty array when nothing matches. */
export type JsonPath = (root: unknown) => unknown[];

type Literal = string | number | boolean | null;
type Comparison = "==" | "!=" | "<" | "<=" | ">" | ">=";
type Step =
  | { kind: "field"; name: string }
  | { kind: "wildcard" }
  | { kind: "index"; index: number }
  | { kind: "slice"; start?: number; end?: number }
  | { kind: "filter"; path: Step[]; op?: Comparison; value?: Literal };

export function compileJsonPath(expression: string): JsonPath {
  let text = expression.trim();
  if (text.startsWith("{") && text.endsWith("}")) text = text.slice(1, -1).trim();
  if (text.startsWith("$")) text = text.slice(1);
  const steps = new Parser(expression, text).steps(false);
  return (root) => evaluate(steps, [root]);
}

function evaluate(steps: Step[], start: unknown[]): unknown[] {
  let current = start;
  for (const step of steps) current = current.flatMap((value) => apply(step, value));
  return current;
}

function apply(step: Step, value: unknown): unknown[] {
  switch (step.kind) {
    case "field":
      return isObject(value) && Object.hasOwn(value, step.name) ? [value[step.name]] : [];
    case "wildcard":
      if (Array.isArray(value)) return value;
      return isObject(value) ? Object.keys(value).sort().map((k) => value[k]) : [];
    case "index": {
      if (!Array.isArray(value)) return [];
      const i = step.index < 0 ? value.length + step.index : step.index;
      return i >= 0 && i < value.length ? [value[i]] : [];
    }
    case "slice":
      return Array.isArray(value) ? value.slice(step.start ?? 0, step.end ?? value.length) : [];
    case "filter":
      return Array.isArray(value) ? value.filter((item) => keep(step, item)) : [];
  }
}

function keep(step: Extract<Step, { kind: "filter" }>, item: unknown): boolean {
  const found = evaluate(step.path, [item]);
  if (step.op === undefined) return found.length > 0 && found[0] !== null && found[0] !== false;
  return found.some((v) => compare(v, step.op!, step.value ?? null));
}

function compare(left: unknown, op: Comparison, right: Literal): boolean {
  if (op === "==") return left === right;
  if (op === "!=") return left !== right;
  if (typeof left === "number" && typeof right === "number") {
    return op === "<" ? left < right : op === "<=" ? left <= right : op === ">" ? left > right : left >= right;
  }
  if (typeof left === "string" && typeof right === "string") {
    return op === "<" ? left < right : op === "<=" ? left <= right : op === ">" ? left > right : left >= right;
  }
  return false;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

class Parser {
  private pos = 0;
  constructor(
    private readonly expression: string,
    private readonly text: string,
  ) {}

  /** Parses steps until the end (or, inside a filter, until the comparison or the closing parenthesis). */
  steps(inFilter: boolean): Step[] {
    const steps: Step[] = [];
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (inFilter && /[\s=!<>)]/.test(ch)) break;
      if (ch === ".") {
        if (this.text[this.pos + 1] === ".") this.fail("recursive descent (..) is not supported");
        this.pos++;
        if (this.text[this.pos] === "*") {
          this.pos++;
          steps.push({ kind: "wildcard" });
        } else {
          steps.push({ kind: "field", name: this.fieldName() });
        }
      } else if (ch === "[") {
        steps.push(this.bracket());
      } else if (/^(range|end)\b/.test(this.text.slice(this.pos))) {
        this.fail("range/end templates are not supported; give one path such as .spec.field");
      } else {
        this.fail(`unexpected "${ch}" at position ${this.pos + 1}; a path looks like .spec.field or .status.conditions[0]`);
      }
    }
    return steps;
  }

  private fieldName(): string {
    let name = "";
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === "\\" && this.pos + 1 < this.text.length) {
        name += this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (/[.[\]\s=!<>()]/.test(ch)) break;
      name += ch;
      this.pos++;
    }
    if (name === "") this.fail(`a field name is missing at position ${this.pos + 1}`);
    if (name === "range" || name === "end") this.fail(`"${name}" templates are not supported`);
    return name;
  }

  private bracket(): Step {
    const close = this.matching(this.pos);
    const inner = this.text.slice(this.pos + 1, close).trim();
    const start = this.pos;
    this.pos = close + 1;
    if (inner === "*") return { kind: "wildcard" };
    if (/^-?\d+$/.test(inner)) return { kind: "index", index: Number(inner) };
    const slice = /^(-?\d*)\s*:\s*(-?\d*)$/.exec(inner);
    if (slice) return { kind: "slice", ...(slice[1] ? { start: Number(slice[1]) } : {}), ...(slice[2] ? { end: Number(slice[2]) } : {}) };
    const quoted = /^'((?:[^'\\]|\\.)*)'$|^"((?:[^"\\]|\\.)*)"$/.exec(inner);
    if (quoted) return { kind: "field", name: (quoted[1] ?? quoted[2] ?? "").replace(/\\(.)/g, "$1") };
    if (inner.startsWith("?(") && inner.endsWith(")")) return this.filter(inner.slice(2, -1).trim(), start);
    if (inner.includes(",")) this.fail("unions like [a,b] are not supported");
    return this.fail(`"[${inner}]" is not an index, a slice, a quoted name, * or a ?(…) filter`);
  }

  private filter(body: string, at: number): Step {
    if (!body.startsWith("@")) this.fail(`a filter must start with @, as in [?(@.type=="Ready")] (position ${at + 1})`);
    const sub = new Parser(this.expression, body.slice(1));
    const path = sub.steps(true);
    const rest = body.slice(1 + sub.pos).trim();
    if (rest === "") return { kind: "filter", path };
    const m = /^(==|!=|<=|>=|<|>)\s*(.+)$/.exec(rest);
    if (!m) return this.fail(`cannot read the filter condition "${rest}"; write @.field=="value"`);
    return { kind: "filter", path, op: m[1] as Comparison, value: this.literal(m[2]!.trim()) };
  }

  private literal(text: string): Literal {
    const quoted = /^'((?:[^'\\]|\\.)*)'$|^"((?:[^"\\]|\\.)*)"$/.exec(text);
    if (quoted) return (quoted[1] ?? quoted[2] ?? "").replace(/\\(.)/g, "$1");
    if (text === "true" || text === "false") return text === "true";
    if (text === "null") return null;
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
    return this.fail(`the filter value ${text} is not a quoted string, a number, true, false or null`);
  }

  /** The index of the `]` closing the `[` at `open`, skipping quoted text and nested brackets. */
  private matching(open: number): number {
    let depth = 0;
    let quote = "";
    for (let i = open; i < this.text.length; i++) {
      const ch = this.text[i]!;
      if (quote) {
        if (ch === "\\") i++;
        else if (ch === quote) quote = "";
      } else if (ch === "'" || ch === '"') quote = ch;
      else if (ch === "[") depth++;
      else if (ch === "]" && --depth === 0) return i;
    }
    return this.fail(`the "[" at position ${open + 1} is never closed`);
  }

  private fail(why: string): never {
    throw new JsonPathError(this.expression, why);
  }
}
