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
    if (path.length === 0) return;
    let at: FieldSet = this;
    for (const key of path.slice(0, -1)) {
      let child = at.children.get(key);
      if (!child) at.children.set(key, (child = new FieldSet()));
      at = child;
    }
    at.members.add(path[path.length - 1]!);
  }

  has(path: readonly PathKey[]): boolean {
    if (path.length === 0) return false;
    const parent = this.at(path.slice(0, -1));
    return parent !== undefined && parent.members.has(path[path.length - 1]!);
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** A new set with the paths of both; each input is read once, so the cost does not grow with depth. */
  union(other: FieldSet): FieldSet {
    const out = this.copy();
    out.add(other);
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
    if (path.length === 0) return !this.isEmpty();
    const parent = this.at(path.slice(0, -1));
    const last = path[path.length - 1]!;
    return parent !== undefined && (parent.members.has(last) || parent.children.has(last));
  }

  /** Every member path: this level's members in order, then each child's, as structured-merge-diff iterates. */
  paths(): PathKey[][] {
    const out: PathKey[][] = [];
    // One prefix shared by the whole walk; only the paths handed out are copies.
    const prefix: PathKey[] = [];
    const walk = (set: FieldSet) => {
      for (const m of [...set.members].sort(comparePathKeys)) out.push([...prefix, m]);
      for (const key of [...set.children.keys()].sort(comparePathKeys)) {
        prefix.push(key);
        walk(set.children.get(key)!);
        prefix.pop();
      }
    };
    walk(this);
    return out;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [key, child] of this.children) out.children.set(key, child.copy());
    return out;
  }

  /** Adds `other`'s paths to this set in place, copying what this set does not have yet. */
  private add(other: FieldSet): void {
    for (const m of other.members) this.members.add(m);
    for (const [key, child] of other.children) {
      const mine = this.children.get(key);
      if (mine) mine.add(child);
      else this.children.set(key, child.copy());
    }
  }

  /** The set under `path`, undefined when nothing is there. */
  private at(path: readonly PathKey[]): FieldSet | undefined {
    let at: FieldSet | undefined = this;
    for (const key of path) at = at?.children.get(key);
    return at;
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
