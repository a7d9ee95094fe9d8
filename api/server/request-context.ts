// What every handler gets: the request, the response, the parsed URL, the RequestInfo and the caller —
// and the route types, which refer to the context and to each other (route-table.ts re-exports them).

import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditEvent } from "../client/audit/event.js";
import type { Action, Resource } from "../rbac/permissions.js";
import type { UserInfo } from "./admission.js";

/** Kubernetes verbs for resource requests; the lower-cased method for the others. */
export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "post" | "put" | "head";

/** What a route needs before its handler runs. */
export type RouteAccess =
  /** No credential: health, version, login. */
  | { kind: "public" }
  /** Any authenticated caller: discovery, OpenAPI, whoami — they reveal nothing a permission guards. */
  | { kind: "authenticated" }
  /** The guide's `resource:action`; `policy` may grant a narrower exception the permission alone would refuse. */
  | { kind: "permission"; resource: Resource | "*"; action: Action; policy?: AccessPolicy };

/**
 * A finer rule beside a route, pure and named: given the request and the caller, may they proceed without
 * the route's permission? Returns the grant's name (the handler reads it from ctx.grant and holds the
 * caller to it), or undefined. Example: a user changing their own password.
 */
export type AccessPolicy = (input: { info: RequestInfoBase; user: { name: string } }) => string | undefined;

/** How much a request costs the guard: cheap probes, reads, writes, long streams, deliberate slowness. */
export type CostClass = "probe" | "read" | "list" | "write" | "watch" | "expensive";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/** The facts of a request, decided once from method, path and the route table. */
export interface RequestInfoBase {
  /** Kubernetes' verb for resource requests (get, list, watch, create, update, patch, delete); the method, lower-cased, otherwise. */
  verb: Verb;
  isResourceRequest: boolean;
  /** The path without a trailing slash. */
  path: string;
  group?: string;
  version?: string;
  /** The plural (`roles`), or the feed an imperative endpoint serves (`audit`, `sessions`). */
  resource?: string;
  name?: string;
  subresource?: string;
}

export interface Route {
  /** Stable, unique: `roles.list`, `auth.login`, `audit.events`. */
  id: string;
  method: HttpMethod;
  /** Segments; `{name}` captures one (percent-decoded). */
  path: string;
  /** The request's verb: fixed, or decided from the query (list or watch). */
  verb: Verb | ((query: URLSearchParams) => Verb);
  /** What the RequestInfo names, beyond the captured `{name}`. */
  target?: { group?: string; version?: string; resource?: string; subresource?: string; isResourceRequest?: boolean };
  access: RouteAccess;
  cost: CostClass;
  handler: (ctx: RequestContext) => Promise<void> | void;
  /** How a refusal of this route (401, 403) is recorded when it is more than a generic security.violation: a refused secret release is a `secrets.accessed`. */
  refusal?: { type: AuditEvent["type"]; kind: string };
}


/** RequestInfo plus what the route table matched. */
export interface RequestInfo extends RequestInfoBase {
  /** The matched route; absent when nothing answers the path (404 after authentication) or the method (405). */
  route?: Route;
  /** Methods the path answers, when it does but not to this one. */
  allowedMethods?: string[];
  /** `{param}` captures of the route. */
  params: Record<string, string>;
}

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
  /** Set by a handler that recorded its own refusal (with more detail than the observer has): the observer records nothing more. */
  refusalRecorded?: boolean;
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

/** The client's address as the socket saw it, for audit entries. */
export const sourceIpOf = (ctx: Pick<RequestContext, "req">): string | undefined => ctx.req.socket?.remoteAddress;
