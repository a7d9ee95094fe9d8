// A set of field paths, shaped as structured-merge-diff's fieldpath.Set: at each level the elements that
// are themselves in the set (members) and the elements under which more paths sit (children).
// FieldsV1 is its JSON form: `{"f:spec": {".": {}, "f:description": {}}}`.

import { comparePathKeys, isPathKey, type PathKey } from "./path-element.js";
import { isJsonObject, setOwn, type JsonObject } from "./json-value.js";

export class FieldSet {
  readonly members = new Set<PathKey>();
  readonly children = new Map<PathKey, FieldSet>();

  static of(...paths: (readonly PathKey[])[]): FieldSet {
    const set = new FieldSet();
    for (const path of paths) set.insert(path);
    return set;
  }

  /** Adds a path (and so the children on the way to it). An empty path adds nothing. */
  insert(path: readonly PathKey[]): void {
    const [head, ...rest] = path;
    if (head === undefined) return;
    if (rest.length === 0) {
      this.members.add(head);
      return;
    }
    let child = this.children.get(head);
    if (!child) this.children.set(head, (child = new FieldSet()));
    child.insert(rest);
  }

  has(path: readonly PathKey[]): boolean {
    const [head, ...rest] = path;
    if (head === undefined) return false;
    return rest.length === 0 ? this.members.has(head) : (this.children.get(head)?.has(rest) ?? false);
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    for (const m of other.members) out.members.add(m);
    for (const [key, child] of other.children) {
      const mine = out.children.get(key);
      out.children.set(key, mine ? mine.union(child) : child.copy());
    }
    return out;
  }

  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      const rest = theirs ? child.difference(theirs) : child.copy();
      if (!rest.isEmpty()) out.children.set(key, rest);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) out.members.add(m);
    for (const [key, child] of this.children) {
      const theirs = other.children.get(key);
      if (!theirs) continue;
      const both = child.intersection(theirs);
      if (!both.isEmpty()) out.children.set(key, both);
    }
    return out;
  }

  /** True when the path or anything under it is in the set. */
  touches(path: readonly PathKey[]): boolean {
    const [head, ...rest] = path;
    if (head === undefined) return !this.isEmpty();
    if (rest.length === 0 && this.members.has(head)) return true;
    const child = this.children.get(head);
    return child !== undefined && child.touches(rest);
  }

  /** Every member path: this level's members in order, then each child's, as structured-merge-diff iterates. */
  paths(prefix: readonly PathKey[] = []): PathKey[][] {
    const out: PathKey[][] = [...this.members].sort(comparePathKeys).map((m) => [...prefix, m]);
    for (const key of [...this.children.keys()].sort(comparePathKeys)) out.push(...this.children.get(key)!.paths([...prefix, key]));
    return out;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [key, child] of this.children) out.children.set(key, child.copy());
    return out;
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    const keys = new Set([...this.members, ...this.children.keys()]);
    for (const key of [...keys].sort(comparePathKeys)) {
      const child = this.children.get(key);
      const node: JsonObject = child && this.members.has(key) ? { ".": {} } : {};
      if (child) Object.assign(node, child.toFieldsV1());
      setOwn(out, key, node);
    }
    return out;
  }

  /** Reads FieldsV1; throws a plain Error naming the bad key when it is not FieldsV1. */
  static fromFieldsV1(fields: unknown): FieldSet {
    if (!isJsonObject(fields)) throw new Error("fieldsV1 must be an object");
    const out = new FieldSet();
    for (const [key, node] of Object.entries(fields)) {
      if (!isPathKey(key)) throw new Error(`fieldsV1 has an unknown path element ${JSON.stringify(key)}`);
      if (!isJsonObject(node)) throw new Error(`fieldsV1 entry ${JSON.stringify(key)} must be an object`);
      const { ".": self, ...rest } = node;
      const hasChildren = Object.keys(rest).length > 0;
      if (!hasChildren || self !== undefined) out.members.add(key);
      if (hasChildren) out.children.set(key, FieldSet.fromFieldsV1(rest));
    }
    return out;
  }
}
