// What every imperative identity endpoint reads first: the JSON body and the caller.

import { badRequest, unauthorized, unsupportedMediaType } from "../machinery/errors.js";
import type { UserInfo } from "../server/admission.js";
import { decodeBody, readBody } from "../server/http-io.js";
import type { RequestContext } from "../server/request-context.js";

/**
 * The JSON object body; `{}` for an empty body when `optional`. JSON only (415 otherwise): login answers
 * without a credential, and YAML costs far more to parse than the few fields these endpoints take.
 */
export async function readJsonObject(ctx: RequestContext, opts: { maxBytes: number; optional?: boolean }): Promise<Record<string, unknown>> {
  const mediaType = (ctx.req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "" && mediaType !== "application/json") throw unsupportedMediaType(mediaType, ["application/json"]);
  const text = await readBody(ctx.req, opts.maxBytes);
  if (opts.optional && text.trim() === "") return {};
  const body = decodeBody(text, ctx.req.headers["content-type"]);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the request body must be a JSON object");
  return body as Record<string, unknown>;
}

export function callerOf(ctx: RequestContext): UserInfo {
  if (!ctx.user) throw unauthorized();
  return ctx.user;
}

/** An optional string field, 400 when present with another type. */
export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badRequest(`${field} must be a string`);
  return v;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  const v = optionalString(body, field);
  if (v === undefined || v === "") throw badRequest(`${field} is required`);
  return v;
}

export function optionalNumber(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw badRequest(`${field} must be a number`);
  return v;
}
