// What a resource write changed, for the audit log: the operation, the object before and after, and who
// asked. The resource service builds one per write; the audit module turns it into entries.

import type { KubeObject } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { TxnCompare, TxnOp } from "../store/store.js";
import type { UserInfo } from "./admission.js";

export interface ResourceChange {
  operation: "create" | "update" | "delete";
  info: ResourceInfo;
  /** The object as written (for a delete: as it was). */
  object: KubeObject;
  /** The object before the write (updates and deletes). */
  previous?: KubeObject;
  subresource?: string;
  /** Who asked and from where; absent for the server's own writes (bootstrap). */
  requester?: { user?: UserInfo; sourceIp?: string; fieldManager?: string };
}

/** A resource write as the resource service hands it to the committer. */
export interface StoreWrite {
  compares: TxnCompare[];
  ops: TxnOp[];
  change: ResourceChange;
}
