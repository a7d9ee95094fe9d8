// An informer's in-memory copy of one resource: by name, by label selector and by named indexes.
// Objects are shared with every reader; treat them as read-only.

import { parseLabelSelector } from "../../api/machinery/label-selector.js";
import type { KubeObject } from "../../api/machinery/meta.js";

/** The values an object is filed under in an index, such as the role names a User references. */
export type IndexFunc<T> = (obj: T) => readonly string[];

export interface CacheDelta<T> {
  added: T[];
  updated: { old: T; obj: T }[];
  deleted: T[];
}

export class ObjectCache<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  get(name: string): T | undefined {
    return this.items.get(name);
  }

  /** Every object, sorted by name. */
  list(): T[] {
    return [...this.items.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  }

  /** The objects a label selector (`app=x,tier!=web`) selects; throws ApiError 400 on a malformed selector. */
  byLabel(selector: string): T[] {
    const matches = parseLabelSelector(selector);
    return this.list().filter((o) => matches(o.metadata.labels));
  }

  /** The objects filed under `value` in the index `name`; throws when there is no such index. */
  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`no index "${name}" on this cache; add it with addIndex first`);
    return [...(index.get(value) ?? [])].sort().flatMap((n) => this.items.get(n) ?? []);
  }

  /** Adds an index and files the objects already held; adding the same name again replaces it. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    this.indices.set(name, new Map());
    for (const obj of this.items.values()) this.file(name, fn, obj);
  }

  get size(): number {
    return this.items.size;
  }

  /** Stores an object; returns the one it replaced. */
  upsert(obj: T): T | undefined {
    const old = this.items.get(obj.metadata.name);
    if (old) this.unindex(old);
    this.items.set(obj.metadata.name, obj);
    for (const [name, fn] of this.indexers) this.file(name, fn, obj);
    return old;
  }

  /** Forgets an object; returns it. */
  remove(name: string): T | undefined {
    const old = this.items.get(name);
    if (!old) return undefined;
    this.unindex(old);
    this.items.delete(name);
    return old;
  }

  /** Replaces the whole content with a fresh list; an object counts as updated only when its resourceVersion moved. */
  replace(items: readonly T[]): CacheDelta<T> {
    const delta: CacheDelta<T> = { added: [], updated: [], deleted: [] };
    const fresh = new Set(items.map((o) => o.metadata.name));
    for (const old of [...this.items.values()]) {
      if (!fresh.has(old.metadata.name)) delta.deleted.push(this.remove(old.metadata.name) ?? old);
    }
    for (const obj of items) {
      const old = this.upsert(obj);
      if (!old) delta.added.push(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) delta.updated.push({ old, obj });
    }
    return delta;
  }

  private file(index: string, fn: IndexFunc<T>, obj: T): void {
    const byValue = this.indices.get(index);
    if (!byValue) return;
    for (const value of fn(obj)) {
      const names = byValue.get(value) ?? new Set<string>();
      names.add(obj.metadata.name);
      byValue.set(value, names);
    }
  }

  private unindex(obj: T): void {
    for (const [name, fn] of this.indexers) {
      const byValue = this.indices.get(name);
      for (const value of fn(obj)) {
        const names = byValue?.get(value);
        names?.delete(obj.metadata.name);
        if (names?.size === 0) byValue?.delete(value);
      }
    }
  }
}
