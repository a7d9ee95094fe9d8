// The API server's audit hooks: what it tells the audit log, and when. The audit package implements it
// (api/audit/request-auditor.ts); the server knows only this interface.

import type { ApiError } from "../machinery/errors.js";
import type { KubeObject } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import type { RequestContext } from "./request-context.js";

export interface ResourceChange {
  operation: "create" | "update" | "delete";
  info: ResourceInfo;
  object: KubeObject;
  /** The object before the write (updates and deletes). */
  previous?: KubeObject;
}

export interface RequestAuditor {
  /** Before a write is attempted: throws ApiError 503 while a fail-closed audit log cannot be written. */
  guard(ctx: RequestContext): void;
  /** After a resource write succeeded, before the client hears of it: durable, or throws ApiError 503 (fail closed). */
  changed(ctx: RequestContext, change: ResourceChange): Promise<void>;
  /** A request ended in an error (401 and 403 are security events). Never throws. */
  failed(ctx: RequestContext, error: ApiError): Promise<void>;
  /** A non-resource request (login, logout, key minting) finished with this status. Never throws. */
  finished(ctx: RequestContext, status: number): Promise<void>;
}
