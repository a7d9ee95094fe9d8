// The workload a release or access review is for: `{"workload": {"name": "api-server", "labels": {…}}}`.

import { ApiError, badRequest } from "../machinery/errors.js";
import type { Workload } from "../rbac/workload.js";
import { decodeBody, readBody } from "../server/http-io.js";
import type { RequestContext } from "../server/request-context.js";

export async function workloadOf(ctx: RequestContext, maxBytes: number): Promise<Workload> {
  const mediaType = (ctx.req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "" && mediaType !== "application/json") throw new ApiError(415, "UnsupportedMediaType", `the body must be application/json, not ${mediaType}`);
  const body = decodeBody(await readBody(ctx.req, maxBytes), "application/json") as { workload?: unknown } | null;
  const workload = body && typeof body === "object" ? body.workload : undefined;
  if (!workload || typeof workload !== "object" || Array.isArray(workload)) throw badRequest('the body must be {"workload": {"name": "api-server", "labels": {"env": "production"}}}');
  const { name, labels } = workload as { name?: unknown; labels?: unknown };
  if (typeof name !== "string") throw badRequest("workload.name must be a string");
  if (labels !== undefined && (typeof labels !== "object" || labels === null || Array.isArray(labels) || Object.values(labels).some((v) => typeof v !== "string")))
    throw badRequest("workload.labels must be an object of string values");
  return { name, ...(labels ? { labels: labels as Record<string, string> } : {}) };
}
