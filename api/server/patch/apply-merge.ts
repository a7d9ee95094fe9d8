// Merges an applied configuration into a live value, as structured-merge-diff's Merge: maps merge key by
// key, map-keyed lists item by item (by key), sets by value, and atomic values are replaced whole.

import { cloneJson, setOwn, type JsonObject } from "./json-value.js";
import { extendPath, type PathChain, type PathKey } from "./path-element.js";
import { resolveShape, type Shape } from "./schema-shape.js";
import { containerOf, type Entry } from "./typed-entries.js";

/** The live value with `config` merged in; neither input is changed. Throws TypedValueError for a bad config. */
export function mergeApplied(live: unknown, config: unknown, shape: Shape, path: PathChain = undefined): unknown {
  if (config === undefined) return cloneJson(live);
  const s = resolveShape(shape, config);
  const rhs = containerOf(config, s, { path, strict: true });
  const lhs = live === undefined ? undefined : containerOf(live, s, { path, strict: false });
  if (!rhs || !lhs) {
    // Validate nested lists of a new subtree too, so a bad item is reported wherever it sits.
    if (rhs) checkEntries(rhs.entries, path);
    return cloneJson(config);
  }
  if (rhs.kind === "map") return mergeMaps(lhs.entries, rhs.entries, path);
  return mergeLists(lhs.entries, rhs.entries, path);
}

/** Reads every container under a new subtree strictly, so its bad list items throw; copies nothing. */
function checkEntries(entries: Entry[], path: PathChain): void {
  for (const e of entries) {
    const here = extendPath(path, e.key!);
    const container = containerOf(e.value, resolveShape(e.shape, e.value), { path: here, strict: true });
    if (container) checkEntries(container.entries, here);
  }
}

function mergeMaps(lhs: Entry[], rhs: Entry[], path: PathChain): JsonObject {
  const out: JsonObject = {};
  const fromConfig = new Map(rhs.map((e) => [e.key!, e] as const));
  for (const e of lhs) {
    const applied = fromConfig.get(e.key!);
    setOwn(out, e.key!.slice(2), applied ? mergeApplied(e.value, applied.value, applied.shape, extendPath(path, e.key!)) : cloneJson(e.value));
  }
  for (const e of rhs) if (!Object.prototype.hasOwnProperty.call(out, e.key!.slice(2))) setOwn(out, e.key!.slice(2), mergeApplied(undefined, e.value, e.shape, extendPath(path, e.key!)));
  return out;
}

/**
 * Items the config names take the config's relative order; live items it does not name keep their
 * place among them (structured-merge-diff's ordering). Untracked live items stay where they are.
 */
function mergeLists(lhs: Entry[], rhs: Entry[], path: PathChain): unknown[] {
  const live = new Map<PathKey, Entry>();
  for (const e of lhs) if (e.key !== undefined) live.set(e.key, e);
  const config = new Map(rhs.map((e) => [e.key!, e] as const));
  const shared = rhs.filter((e) => live.has(e.key!)).map((e) => e.key!);
  let sharedAt = 0;
  let nextShared = shared[sharedAt++];
  const merged = new Set<PathKey>();
  const out: unknown[] = [];
  const take = (key: PathKey) => {
    const r = config.get(key)!;
    out.push(mergeApplied(live.get(key)?.value, r.value, r.shape, extendPath(path, key)));
    merged.add(key);
  };
  let li = 0;
  let ri = 0;
  while (li < lhs.length || ri < rhs.length) {
    const l = lhs[li];
    const r = rhs[ri];
    if (l && r) {
      if (l.key === r.key) {
        take(r.key!);
        li++;
        ri++;
        nextShared = shared[sharedAt++];
        continue;
      }
      // A shared item, but not the next one the config orders: it is emitted when the config reaches it.
      if (l.key !== undefined && config.has(l.key) && nextShared !== undefined && nextShared !== l.key) {
        li++;
        continue;
      }
    }
    if (l) {
      if (l.key === undefined || !config.has(l.key)) {
        out.push(cloneJson(l.value));
        li++;
        continue;
      }
      if (merged.has(l.key)) {
        li++;
        continue;
      }
    }
    if (r) {
      take(r.key!);
      ri++;
      if (nextShared === r.key) nextShared = shared[sharedAt++];
    }
  }
  return out;
}
