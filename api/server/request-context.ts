// What every handler gets: the request, the response, the parsed URL and the caller.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { UserInfo } from "./admission.js";

/** Kubernetes verbs, as RBAC and metrics name them. */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "connect";

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  user?: UserInfo;
  /** Filled in by the router, for metrics and audit. */
  verb?: Verb;
  resource?: string;
  subresource?: string;
  /** `Warning` headers to send with the response (299 "-" "text"). */
  warnings: string[];
  /** Facts an endpoint leaves for the audit log (the username a login tried, the key an endpoint minted); never secrets. */
  auditNotes?: Record<string, string>;
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
