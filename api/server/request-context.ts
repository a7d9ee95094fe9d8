// What every handler gets: the request, the response, the parsed URL, the RequestInfo and the caller.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditEvent } from "../client/audit/event.js";
import type { Action, Resource } from "../rbac/permissions.js";
import type { UserInfo } from "./admission.js";
import type { RequestInfo } from "./request-info.js";

/** Kubernetes verbs for resource requests; the lower-cased method for the others. */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "post" | "put" | "head";

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Decided once, before authentication (request-info.ts). */
  info: RequestInfo;
  user?: UserInfo;
  /** The name of the route policy that admitted the caller without the route's permission (route-table.ts AccessPolicy). */
  grant?: string;
  /**
   * Asks the authorizer for one more permission mid-request, when the outcome decides what is needed
   * (a server-side apply that turns out to create). Throws ApiError 403.
   */
  authorize(permission: { resource: Resource | "*"; action: Action }): Promise<void>;
  /** `Warning` headers to send with the response (299 "-" "text"). */
  warnings: string[];
  /** How the audit log records this request if it is refused (a failed login is `auth.login`, not a generic violation); never secrets. */
  auditAs?: Pick<AuditEvent, "type" | "actor" | "resource" | "details">;
}

export const warningHeader = (warnings: readonly string[]): Record<string, string> =>
  warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") } : {};

/** The field manager of a write: `?fieldManager=`, else the User-Agent's program name, as kube does. */
export function fieldManagerOf(ctx: RequestContext): string {
  const explicit = ctx.url.searchParams.get("fieldManager");
  if (explicit) return explicit;
  const agent = ctx.req.headers["user-agent"] ?? "";
  return agent.split("/")[0]?.trim() || "unknown";
}
