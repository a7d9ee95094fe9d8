// Reading a TOML table against a schema of small checks, for gateway.toml's [ddos] and clawnode.toml: every
// key known or refused with a "did you mean", every value checked, and each refusal naming the file, the
// line of the key (found in the file's text) and the dotted key, what was wrong and what is allowed.

/** Why a value was refused: what is allowed, and for a list the element at fault; `shown` replaces a value that must not be echoed. */
export class Refusal {
  constructor(
    readonly allowed: string,
    readonly detail: { index?: number; element?: unknown; hint?: string; shown?: string } = {},
  ) {}
}

export type Read<T> = (value: unknown) => T | Refusal;

export interface Schema {
  [key: string]: Read<unknown> | Schema;
}

export type Parsed<S extends Schema> = {
  [K in keyof S]: S[K] extends Read<infer T> ? T | undefined : S[K] extends Schema ? Parsed<S[K]> : never;
};

/** " (did you mean …?)" for an unknown key, or "". */
export type Suggest = (key: string, isTableKey: boolean, path: string[], schema: Schema) => string;

export const flag: Read<boolean> = (v) => (typeof v === "boolean" ? v : new Refusal("true or false"));

/** A list whose every element passes `element`, duplicates dropped; a refusal names the element at fault. */
export const listOf = <T>(what: string, element: (v: unknown) => T | Refusal, opts: { whenEmpty?: string } = {}): Read<T[]> => (v) => {
  if (!Array.isArray(v)) return new Refusal(`a list of ${what}`);
  if (v.length === 0 && opts.whenEmpty !== undefined) return new Refusal(`a non-empty list of ${what}`, { hint: opts.whenEmpty });
  const out: T[] = [];
  for (const [index, item] of v.entries()) {
    const read = element(item);
    if (read instanceof Refusal) return new Refusal(read.allowed, { ...read.detail, index, element: item });
    if (!out.includes(read)) out.push(read);
  }
  return out;
};

/** The plain suggestion: a key of the same table spelled alike but for case, '-' and '_', or two edits. */
export const nearInTable = (_root: Schema): Suggest => (key, isTableKey, _path, schema) => {
  const names = Object.keys(schema).filter((k) => (typeof schema[k] !== "function") === isTableKey);
  const match = names.find((k) => near(k, key));
  return match === undefined ? "" : ` (did you mean ${match}?)`;
};

export function walk<S extends Schema>(raw: unknown, schema: S, path: string[], at: Locator, suggest: Suggest = nearInTable(schema)): Parsed<S> {
  if (raw !== undefined && !isTable(raw)) throw at.error(path, `${label(path)} must be a table, not ${show(raw)}`);
  const table: Record<string, unknown> = raw ?? {};
  for (const [key, value] of Object.entries(table)) {
    if (Object.hasOwn(schema, key)) continue;
    const subTables = Object.keys(schema).filter((k) => typeof schema[k] !== "function");
    const keys = Object.keys(schema).filter((k) => typeof schema[k] === "function");
    const near = suggest(key, isTable(value), path, schema);
    const tables = subTables.length ? subTables.map((k) => label([...path, k])).join(", ") : "none";
    if (isTable(value)) throw at.error([...path, key], `unknown table ${label([...path, key])}${near}; the tables ${path.length ? `of ${label(path)} ` : ""}are ${tables}`);
    if (path.length === 0) throw at.error([key], `unknown key ${key} at the top level${near}; keys belong in one of the tables ${tables}`);
    throw at.error([...path, key], `${label(path)} unknown key ${key}${near}; the keys of ${label(path)} are ${keys.join(", ")}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(schema)) {
    if (typeof rule !== "function") {
      if (table[key] !== undefined && !isTable(table[key]))
        throw at.error([...path, key], `${path.length ? `${label(path)} ` : ""}${key} must be a table (${label([...path, key])}), not ${show(table[key])}${Array.isArray(table[key]) ? `; write ${label([...path, key])} once, not [${label([...path, key])}]` : ""}`);
      out[key] = walk(table[key], rule, [...path, key], at, suggest);
      continue;
    }
    const value = table[key];
    const read = value === undefined ? undefined : rule(value);
    if (!(read instanceof Refusal)) {
      out[key] = read;
      continue;
    }
    const { index, element, hint, shown } = read.detail;
    const wrong = index === undefined ? value : element;
    const unquoted = typeof wrong === "string" ? unquote(wrong) : undefined;
    const readsUnquoted = index === undefined && unquoted !== undefined && !(rule(unquoted) instanceof Refusal);
    const advice = hint ?? (readsUnquoted ? "write it without the quotes" : undefined);
    throw at.error(
      [...path, key],
      `${label(path)} ${key}${index === undefined ? "" : `[${index}]`} must be ${read.allowed}, not ${shown ?? show(wrong)}${advice ? `; ${advice}` : ""}`,
      typeof element === "string" && shown === undefined ? element : undefined,
    );
  }
  // The schema and the loop above agree key for key; the cast is where the untyped TOML becomes typed.
  return out as Parsed<S>;
}

export /** Equal but for case, '-' and '_', or (for names of 5 letters or more) at most two edits apart. */
function near(a: string, b: string): boolean {
  const [x, y] = [squash(a), squash(b)];
  if (x === y) return true;
  if (Math.min(x.length, y.length) < 5) return false;
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[y.length]! <= 2;
}

export const isTable = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

export const label = (path: string[]): string => `[${path.join(".")}]`;

export const squash = (key: string): string => key.toLowerCase().replace(/[-_]/g, "");

/** What a quoted value would have been without its quotes, for the "write it without the quotes" advice. */
export function unquote(text: string): unknown {
  if (text === "true" || text === "false") return text === "true";
  return /^[+-]?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : undefined;
}

/** A value as the operator wrote it, short. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number") return Number.isNaN(value) ? "nan" : Number.isFinite(value) ? String(value) : value > 0 ? "inf" : "-inf";
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value instanceof Date) return "a date";
  if (Array.isArray(value)) {
    const text = `[${value.map(show).join(", ")}]`;
    return text.length > 60 ? `${text.slice(0, 57)}...]` : text;
  }
  return "a table";
}

// A TOML key part: bare, "basic" or 'literal'.
const KEY_PART = String.raw`(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')`;
const DOTTED = String.raw`${KEY_PART}(?:\s*\.\s*${KEY_PART})*`;
const HEADER = new RegExp(String.raw`^\s*\[\[?\s*(${DOTTED})\s*\]\]?\s*(?:#.*)?$`);
const KEY_LINE = new RegExp(String.raw`^\s*(${DOTTED})\s*=`);

const keyParts = (dotted: string): string[] => [...dotted.matchAll(new RegExp(KEY_PART, "g"))].map((m) => m[0].replace(/^["']|["']$/g, ""));

/** Finds the line of a table or key in the file's text, to prefix errors with `file:line:`. */
export class Locator {
  private readonly lines: string[];

  constructor(private readonly opts: { source?: string; text?: string; error: (message: string) => Error }) {
    this.lines = (opts.text ?? "").split(/\r?\n/);
  }

  error(path: string[], message: string, element?: string): Error {
    // A key in an inline table has no line of its own: point at its table's.
    const line = this.lineOf(path, element) ?? (path.length > 1 ? this.lineOf(path.slice(0, -1)) : undefined);
    const where = [this.opts.source, line].filter((part) => part !== undefined).join(":");
    return this.opts.error(where === "" ? message : `${this.opts.source === undefined ? "line " : ""}${where}: ${message}`);
  }

  /** The 1-based line of the first `[table]` header or `key =` at or under `path` (dotted keys resolved against the header above). */
  private lineOf(path: string[], element?: string): number | undefined {
    if (this.opts.text === undefined) return undefined;
    let header: string[] = [];
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      const headerMatch = HEADER.exec(line);
      if (headerMatch) header = keyParts(headerMatch[1]!);
      const keyMatch = headerMatch ? undefined : KEY_LINE.exec(line);
      if (!headerMatch && !keyMatch) continue;
      const full = keyMatch ? [...header, ...keyParts(keyMatch[1]!)] : header;
      if (path.every((part, j) => full[j] === part)) return element === undefined || !keyMatch ? i + 1 : this.elementLine(i, element);
    }
    return undefined;
  }

  /** The line, from a list's key line to the next table, that holds `element` quoted. */
  private elementLine(keyIndex: number, element: string): number {
    const quoted = [JSON.stringify(element), `'${element}'`];
    for (let i = keyIndex; i < this.lines.length; i++) {
      if (i > keyIndex && HEADER.test(this.lines[i]!)) break;
      if (quoted.some((q) => this.lines[i]!.includes(q))) return i + 1;
    }
    return keyIndex + 1;
  }
}
