// Reading requests and writing responses: body limits, JSON/YAML decoding, Status errors.

import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest, clientClosedRequest, internalError, serviceUnavailable, tooLarge, unsupportedMediaType, type Status } from "../machinery/errors.js";
import { StoreError } from "../store/store.js";
import { parseJsonBody, parseYamlBody } from "./request-body.js";

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Reads the whole body as text, refusing more than `limit` bytes with 413. A client that closes the
 * connection before the body is complete gets ApiError 499 ClientClosedRequest (isClientClosedRequest),
 * which is not a server failure: there is nobody left to answer.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return (await readBodyBytes(req, limit)).toString("utf8");
}

/** The raw bytes of a body (a binary format such as Kubernetes protobuf), with readBody's limit and abort handling. */
export async function readBodyBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        req.resume();
        throw tooLarge(limit);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // Node ends the stream with "aborted" (ECONNRESET) or a premature close when the client disconnects.
    if (req.destroyed || !req.complete) throw clientClosedRequest();
    throw err;
  }
  // The stream can also end quietly when the connection closes mid-body.
  if (!req.complete) throw clientClosedRequest();
  return Buffer.concat(chunks);
}

const JSON_TYPES = new Set(["application/json", ""]);
const YAML_TYPES = new Set(["application/yaml", "application/x-yaml", "text/yaml"]);

/** Decodes a create/update body, JSON or YAML by Content-Type; 400 for malformed input, 415 for others. */
export function decodeBody(text: string, contentType: string | undefined): unknown {
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (text.trim() === "") throw badRequest("the request body is empty; send a JSON or YAML object");
  if (JSON_TYPES.has(mediaType)) return parseJsonBody(text, "the request body is not valid JSON");
  if (YAML_TYPES.has(mediaType)) return parseYamlBody(text, "the request body is not valid YAML");
  throw unsupportedMediaType(mediaType, ["application/json", "application/yaml"]);
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Maps any thrown value to an ApiError a client may see: never a stack trace, never an internal detail. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof StoreError && err.code === "Unavailable") return serviceUnavailable("the storage backend is unavailable; retry shortly", 1);
  if (err instanceof StoreError && err.code === "TooLarge") return new ApiError(413, "RequestEntityTooLarge", `the object is too large to store: ${err.message}; make it smaller`);
  return internalError();
}

export function sendError(res: ServerResponse, err: ApiError): void {
  const status: Status = err.toStatus();
  const retry = err.details?.retryAfterSeconds;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.code, status, retry !== undefined ? { "Retry-After": String(retry) } : {});
}

/** Query booleans as kube-apiserver reads them (query-params.ts); kept here for the routes that import it. */
export { queryBool } from "./query-params.js";
