// The options of RestClient's calls (client-go's ListOptions, PatchOptions, …), apart from the client.

import type { KubeList, KubeObject } from "../machinery/meta.js";
import type { PatchType, Table } from "./api-types.js";
import type { QueryValue } from "./resource-path.js";

export interface RequestOptions {
  signal?: AbortSignal;
}
export interface ListOptions extends RequestOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}
export interface WriteOptions extends RequestOptions {
  fieldManager?: string;
  dryRun?: boolean;
}
export interface PatchOptions extends WriteOptions {
  type: PatchType;
  /** Server-side apply only: take ownership of fields other managers own. */
  force?: boolean;
  subresource?: "status";
}
export interface ApplyOptions extends RequestOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
}
export interface DeleteOptions extends RequestOptions {
  preconditions?: { resourceVersion?: string; uid?: string };
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  dryRun?: boolean;
}
export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Ask for Table rows (`kubectl get -w`); events then carry Table objects when the server supports it. */
  asTable?: boolean;
}
export interface TableOptions extends ListOptions {
  name?: string;
}

export interface RawRequest extends RequestOptions {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

/** What a Table request may return: a Table, or the plain object/list from a server that does not make tables. */
export type TableResponse = Table | KubeObject | KubeList;

