// The RestClient bound to one resource (`roles`), typed by its object, for controllers and commands.

import type { Status } from "../machinery/errors.js";
import type { KubeList, KubeObject } from "../machinery/meta.js";
import type { WatchEvent } from "./api-types.js";
import type { ApplyOptions, DeleteOptions, ListOptions, PatchOptions, RequestOptions, RestClient, WatchOptions, WriteOptions } from "./rest-client.js";

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(
    private readonly client: RestClient,
    readonly plural: string,
  ) {}

  get(name: string, opts?: RequestOptions): Promise<T> {
    return this.client.get<T>(this.plural, name, opts);
  }
  list(opts?: ListOptions): Promise<KubeList<T>> {
    return this.client.list<T>(this.plural, opts);
  }
  create(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.create<T>(this.plural, obj, opts);
  }
  update(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.update<T>(this.plural, obj, opts);
  }
  updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.updateStatus<T>(this.plural, obj, opts);
  }
  patch(name: string, patch: unknown, opts: PatchOptions): Promise<T> {
    return this.client.patch<T>(this.plural, name, patch, opts);
  }
  apply(obj: T, opts: ApplyOptions): Promise<T> {
    return this.client.apply<T>(this.plural, obj, opts);
  }
  delete(name: string, opts?: DeleteOptions): Promise<KubeObject | Status> {
    return this.client.delete(this.plural, name, opts);
  }
  watch(opts?: WatchOptions): AsyncGenerator<WatchEvent<T>> {
    return this.client.watch<T>(this.plural, opts);
  }
}
