// Request body text to a value, with the limits every body has whatever its route: nesting depth,
// and for YAML the size, anchors, aliases, tags and keys that the yaml package handles in more than
// linear time. Whatever breaks a limit is a 400 (or 413) saying which, never a 500 or a stalled server.

import { isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { ApiError, badRequest } from "../machinery/errors.js";
import { jsonDepthExceeds, MAX_BODY_DEPTH, tooDeep, valueExceeds } from "./body-depth.js";
import { scanYaml } from "./yaml-scan.js";

/**
 * The yaml package takes 1 to 3 µs a byte (JSON.parse a hundredth of that), so YAML text is kept small
 * enough to parse in under a second at worst; JSON sent with a YAML media type is not limited this way.
 */
export const MAX_YAML_BODY_BYTES = 256 * 1024;
/** Anchors, aliases and tags each cost the yaml package time in proportion to the others; manifests use few. */
export const MAX_YAML_ALIASES = 100;
export const MAX_YAML_ANCHORS = 100;
export const MAX_YAML_TAGS = 100;

/** Parses JSON text; `invalid` begins the 400's message when it is not JSON. */
export function parseJsonBody(text: string, invalid: string): unknown {
  if (jsonDepthExceeds(text, MAX_BODY_DEPTH)) throw tooDeep();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`${invalid}: ${jsonProblem(text, (err as Error).message)}`);
  }
}

/**
 * What is wrong, without quoting the body: V8's messages quote a stretch of the input (`Unexpected token
 * 'Q', "…":{"value":Q4Xp…" is not valid JSON`), and a body may carry a secret. Only the position is kept.
 */
function jsonProblem(text: string, message: string): string {
  const at = /at position (\d+)/.exec(message);
  if (at) {
    const before = text.slice(0, Number(at[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return `${message.replace(/ in JSON at position \d+.*$/s, "")} at line ${line}, column ${column}`;
  }
  if (/end of JSON input/.test(message)) return "it ends too early";
  return "an unexpected character (is a string missing its quotes?)";
}

/** Parses YAML text (JSON being YAML too); `invalid` begins the 400's message when it is not YAML. */
export function parseYamlBody(text: string, invalid: string): unknown {
  const json = asJson(text);
  if (json.parsed) return json.value;
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_YAML_BODY_BYTES)
    throw new ApiError(
      413,
      "RequestEntityTooLarge",
      `the YAML request body is ${bytes} bytes, more than the limit of ${MAX_YAML_BODY_BYTES} for YAML; send the object as JSON, which is not limited this way`,
    );
  const scan = scanYaml(text, MAX_BODY_DEPTH);
  if (scan.tooDeep) throw tooDeep();
  const overused = ([["aliases", scan.aliases, MAX_YAML_ALIASES], ["anchors", scan.anchors, MAX_YAML_ANCHORS], ["tags", scan.tags, MAX_YAML_TAGS]] as const).find(
    ([, count, max]) => count > max,
  );
  if (overused) throw badRequest(`${invalid}: it uses ${overused[1]} YAML ${overused[0]}, more than the ${overused[2]} allowed; write the values out instead`);
  // uniqueKeys is checked below: the yaml package's own check compares every key with every other one.
  const doc = parseYaml(text);
  const error = doc.errors[0];
  if (error) throw badRequest(`${invalid}: ${error.message.split("\n")[0]} (at line ${lineOf(text, error.pos[0])})`);
  const keyProblem = badKey(doc);
  if (keyProblem !== undefined) throw badRequest(`${invalid}: ${keyProblem}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof ReferenceError) throw badRequest(`${invalid}: ${err.message} (too many YAML aliases, or an alias before its anchor)`);
    if (err instanceof RangeError) throw tooDeep();
    throw err;
  }
  // Aliases repeat what their anchors hold: the value may be deeper and larger than the text.
  const exceeded = valueExceeds(value, { depth: MAX_BODY_DEPTH, size: 2 * text.length + 64 });
  if (exceeded === "depth") throw tooDeep();
  if (exceeded === "size") throw badRequest(`${invalid}: its aliases expand it to far more than its text; write the values out instead`);
  return value;
}

function parseYaml(text: string): Document {
  try {
    // logLevel "error": the yaml package would otherwise print a process warning for what a client sent
    // ("silent" would also drop the error for a second document).
    return parseDocument(text, { uniqueKeys: false, prettyErrors: false, logLevel: "error" });
  } catch (err) {
    // The scan bounds nesting from above; should the parser still run out of stack, it is the same answer.
    if (err instanceof RangeError) throw tooDeep();
    throw err;
  }
}

/** JSON text sent as YAML (kubectl sends server-side apply that way) is parsed as the JSON it is. */
function asJson(text: string): { parsed: true; value: unknown } | { parsed: false } {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") return { parsed: false };
  if (jsonDepthExceeds(text, MAX_BODY_DEPTH)) throw tooDeep();
  try {
    return { parsed: true, value: JSON.parse(text) };
  } catch {
    // A YAML flow collection such as {a: 1}: the YAML parser reads it.
    return { parsed: false };
  }
}

/**
 * What is wrong with the keys of the document's mappings, if anything: a key repeated in one mapping,
 * or a key that is itself a mapping or a list (JSON has no such keys). One loop, one set per mapping.
 */
function badKey(doc: Document): string | undefined {
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isSeq(node)) for (const item of node.items) pending.push(item);
    else if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isMap(pair.key) || isSeq(pair.key)) return "a mapping key must be a string, not a mapping or a list";
        // Keys end up as object keys, so 1 and "1" are the same key.
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) return `the key ${JSON.stringify(key)} appears twice in one mapping`;
          seen.add(key);
        }
        pending.push(pair.value);
      }
    }
  }
  return undefined;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
