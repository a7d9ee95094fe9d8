// Where an informer gets its objects: a paged list, then a watch from a resourceVersion, over the RestClient.

import type { WatchEvent } from "../../api/client/api-types.js";
import type { RestClient } from "../../api/client/rest-client.js";
import type { KubeList, KubeObject } from "../../api/machinery/meta.js";

export interface ListWatcher<T extends KubeObject> {
  /** What is listed and watched, for logs and metrics, such as `roles`. */
  readonly resource: string;
  /** Every object at one revision; the list's resourceVersion is that revision. */
  list(opts: { signal: AbortSignal }): Promise<KubeList<T>>;
  /** Changes after `resourceVersion`, with bookmarks; ends when the server ends the stream. Throws ApiError 410 when it is compacted. */
  watch(opts: { resourceVersion: string; signal: AbortSignal }): AsyncIterable<WatchEvent<T>>;
}

export interface RestListWatcherOptions {
  labelSelector?: string;
  /** Objects per list page. Default 500. */
  pageSize?: number;
  /** Ask the server to end each watch after this long (the informer then watches again). Default: never. */
  watchTimeoutSeconds?: number;
}

export function restListWatcher<T extends KubeObject>(client: RestClient, plural: string, opts: RestListWatcherOptions = {}): ListWatcher<T> {
  const selector = opts.labelSelector ? { labelSelector: opts.labelSelector } : {};
  return {
    resource: plural,
    async list({ signal }) {
      // Every page is read at the first page's revision, so the pages make one consistent snapshot.
      const first = await client.list<T>(plural, { ...selector, limit: opts.pageSize ?? 500, signal });
      const items = [...first.items];
      let next = first.metadata.continue;
      while (next) {
        const page = await client.list<T>(plural, { ...selector, limit: opts.pageSize ?? 500, continue: next, signal });
        items.push(...page.items);
        next = page.metadata.continue;
      }
      return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
    },
    watch({ resourceVersion, signal }) {
      return client.watch<T>(plural, {
        ...selector,
        resourceVersion,
        allowWatchBookmarks: true,
        signal,
        ...(opts.watchTimeoutSeconds ? { timeoutSeconds: opts.watchTimeoutSeconds } : {}),
      });
    },
  };
}
