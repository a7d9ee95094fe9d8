// HTTP handlers for /apis/{group}/{version}/{plural}[/{name}[/status]].

import type { Clock } from "../machinery/clock.js";
import { badRequest, methodNotAllowed } from "../machinery/errors.js";
import { parseFieldSelector, parseLabelSelector } from "../machinery/label-selector.js";
import type { KubeObject } from "../machinery/meta.js";
import type { ResourceInfo } from "../schema/resource-info.js";
import { decodeBody, readBody, sendJson } from "./http-io.js";
import { parseListOptions } from "./list-options.js";
import type { Subresource } from "./object-rules.js";
import { patchResource, patchTypeOf } from "./patch-request.js";
import { fieldManagerOf, sourceIpOf, warningHeader, type RequestContext } from "./request-context.js";
import type { UserInfo } from "./admission.js";
import type { ResourceService, WriteOptions } from "./resource-service.js";
import { parseTableAccept, toTable } from "./table.js";
import { queryBool } from "./query-params.js";
import { parseDeleteOptions, parseWriteQuery } from "./write-options.js";
import type { AuditSink } from "./module.js";
import type { WatchStreamer } from "./watch-stream.js";

export interface ResourceHandlerDeps {
  service: ResourceService;
  /** Refuses writes early (503) while a fail-closed audit log cannot be written. */
  audit: Pick<AuditSink, "guard">;
  watches: WatchStreamer;
  clock: Clock;
  maxBodyBytes: number;
}

export interface ResourceTarget {
  info: ResourceInfo;
  name?: string;
  subresource: Subresource;
}

/** Serves one resource route; the verb comes from the RequestInfo the route table decided. */
export async function handleResource(ctx: RequestContext, deps: ResourceHandlerDeps, target: ResourceTarget): Promise<void> {
  const { info, name, subresource } = target;
  const verb = ctx.info.verb;
  if (verb === "watch") return deps.watches.serve(ctx, info, selectorOf(ctx));
  if (verb === "list") return list(ctx, deps, info);
  if (name === undefined && verb !== "create") throw methodNotAllowed(ctx.req.method ?? "", ctx.url.pathname);
  if (verb === "get") return respond(ctx, deps, info, await deps.service.get(info, name!), 200, []);
  deps.audit.guard();
  switch (verb) {
    case "create": {
      const body = (await readObject(ctx, deps)) as KubeObject;
      const result = await deps.service.create(info, body, writeOptions(ctx));
      return respond(ctx, deps, info, result.object, 201, result.warnings);
    }
    case "update": {
      const body = (await readObject(ctx, deps)) as KubeObject;
      const result = await deps.service.update(info, name!, body, { ...writeOptions(ctx), subresource });
      return respond(ctx, deps, info, result.object, 200, result.warnings);
    }
    case "patch": {
      const type = patchTypeOf(ctx.req.headers["content-type"]);
      const text = await readBody(ctx.req, deps.maxBodyBytes);
      const result = await patchResource(deps.service, deps.clock, {
        info,
        name: name!,
        type,
        body: text,
        subresource,
        force: queryBool(ctx.url.searchParams.get("force")),
        options: writeOptions(ctx),
        // Whatever the patch type, creating needs create: the outcome decides, not the content type.
        beforeCreate: () => ctx.authorize({ resource: ctx.info.route?.access.kind === "permission" ? ctx.info.route.access.resource : "*", action: "create" }),
      });
      return respond(ctx, deps, info, result.object, result.created ? 201 : 200, result.warnings);
    }
    case "delete": {
      if (subresource) throw methodNotAllowed(ctx.req.method ?? "", ctx.url.pathname);
      const deleted = await deps.service.delete(info, name!, await deleteOptionsOf(ctx, deps));
      return respond(ctx, deps, info, deleted, 200, []);
    }
    default:
      throw methodNotAllowed(ctx.req.method ?? "", ctx.url.pathname);
  }
}

async function list(ctx: RequestContext, deps: ResourceHandlerDeps, info: ResourceInfo): Promise<void> {
  const options = parseListOptions(ctx.url.searchParams, { watch: false });
  const result = await deps.service.list(info, {
    match: selectorOf(ctx),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.continueToken !== undefined ? { continueToken: options.continueToken } : {}),
    // Only Exact reads a past snapshot; NotOlderThan (and no match) are served at the latest revision.
    ...(options.resourceVersionMatch === "Exact" && options.revision !== undefined ? { revision: options.revision } : {}),
  });
  const table = parseTableAccept(ctx.req.headers.accept ?? "");
  if (table) {
    const t = toTable(info, result.items, { includeObject: includeObjectOf(ctx), now: deps.clock.now() });
    return sendJson(ctx.res, 200, { ...t, metadata: result.metadata });
  }
  sendJson(ctx.res, 200, result);
}

function respond(ctx: RequestContext, deps: ResourceHandlerDeps, info: ResourceInfo, object: KubeObject, code: number, warnings: string[]): void {
  const headers = warningHeader([...ctx.warnings, ...warnings]);
  if (parseTableAccept(ctx.req.headers.accept ?? "")) {
    const table = toTable(info, [object], { includeObject: includeObjectOf(ctx), now: deps.clock.now() });
    return sendJson(ctx.res, code, { ...table, metadata: { resourceVersion: object.metadata.resourceVersion ?? "" } }, headers);
  }
  sendJson(ctx.res, code, object, headers);
}

async function readObject(ctx: RequestContext, deps: ResourceHandlerDeps): Promise<unknown> {
  const body = decodeBody(await readBody(ctx.req, deps.maxBodyBytes), ctx.req.headers["content-type"]);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the request body must be a single object");
  return body;
}

function writeOptions(ctx: RequestContext): WriteOptions {
  const kind = ctx.info.verb === "create" ? "CreateOptions" : ctx.info.verb === "update" ? "UpdateOptions" : "PatchOptions";
  return {
    fieldManager: fieldManagerOf(ctx),
    ...parseWriteQuery(ctx.url.searchParams, kind),
    ...requesterOf(ctx),
  };
}

/** Who asks and from where, for the write's audit entries. */
function requesterOf(ctx: RequestContext): { user?: UserInfo; sourceIp?: string } {
  const sourceIp = sourceIpOf(ctx);
  return { ...(ctx.user ? { user: ctx.user } : {}), ...(sourceIp ? { sourceIp } : {}) };
}

function includeObjectOf(ctx: RequestContext): "None" | "Metadata" | "Object" {
  const v = ctx.url.searchParams.get("includeObject");
  if (v === null || v === "") return "Metadata";
  if (v === "None" || v === "Metadata" || v === "Object") return v;
  throw badRequest(`includeObject must be one of None, Metadata or Object, not "${v}"`);
}

export function selectorOf(ctx: RequestContext): (obj: KubeObject) => boolean {
  const labels = parseLabelSelector(ctx.url.searchParams.get("labelSelector") ?? "");
  const fields = parseFieldSelector(ctx.url.searchParams.get("fieldSelector") ?? "");
  return (obj) => labels(obj.metadata.labels) && fields(obj);
}

async function deleteOptionsOf(ctx: RequestContext, deps: ResourceHandlerDeps) {
  const text = await readBody(ctx.req, deps.maxBodyBytes);
  const decoded = text.trim() ? decodeBody(text, ctx.req.headers["content-type"] || "application/json") : {};
  const { dryRun, preconditions } = parseDeleteOptions(ctx.url.searchParams, decoded);
  return { dryRun, ...requesterOf(ctx), ...(preconditions ? { preconditions } : {}) };
}
