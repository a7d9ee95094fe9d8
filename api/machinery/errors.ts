// One error type for the API: an HTTP code plus a Kubernetes reason, sent as a Status object.

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Invalid"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "TooManyRequests"
  | "InternalError"
  | "ServiceUnavailable"
  | "Expired"
  | "Timeout"
  /** nginx's 499: the client went away before the answer; never sent, only logged and counted. */
  | "ClientClosedRequest";

export interface StatusCause {
  /** A field path such as `spec.permissions[2]`. */
  field?: string;
  message: string;
  /** `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueDuplicate`, `FieldValueTypeMismatch`, … */
  reason?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  apiVersion: "v1";
  kind: "Status";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: StatusReason | "";
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toStatus(): Status {
    return {
      apiVersion: "v1",
      kind: "Status",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }

  /** Rebuilds an ApiError from a Status body received by a client. */
  static fromStatus(body: unknown, fallbackCode: number): ApiError {
    const s = (body ?? {}) as Partial<Status>;
    const reason = (s.reason || reasonForCode(fallbackCode)) as StatusReason;
    return new ApiError(typeof s.code === "number" ? s.code : fallbackCode, reason, s.message ?? `HTTP ${fallbackCode}`, s.details);
  }
}

export interface ResourceRef {
  group?: string;
  kind: string;
  /** The plural, as Kubernetes names it in messages: `roles.security.clawbernetes.com "x" not found`. */
  resource?: string;
  name?: string;
}

const qualified = (ref: ResourceRef) => (ref.resource ? (ref.group ? `${ref.resource}.${ref.group}` : ref.resource) : ref.kind);
const detailsOf = (ref: ResourceRef): StatusDetails => ({
  ...(ref.name !== undefined ? { name: ref.name } : {}),
  ...(ref.group ? { group: ref.group } : {}),
  kind: ref.resource ?? ref.kind,
});

export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);
export const unauthorized = (message = "Unauthorized") => new ApiError(401, "Unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "Forbidden", message);
export const notFound = (ref: ResourceRef) =>
  new ApiError(404, "NotFound", `${qualified(ref)} "${ref.name ?? ""}" not found`, detailsOf(ref));
export const pathNotFound = (path: string) => new ApiError(404, "NotFound", `the server could not find the requested resource (${path})`);
export const alreadyExists = (ref: ResourceRef) =>
  new ApiError(409, "AlreadyExists", `${qualified(ref)} "${ref.name ?? ""}" already exists`, detailsOf(ref));
export const conflict = (ref: ResourceRef, why: string, causes?: StatusCause[]) =>
  new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name ?? ""}": ${why}`, {
    ...detailsOf(ref),
    ...(causes ? { causes } : {}),
  });
export const gone = (message: string) => new ApiError(410, "Gone", message);
export const invalid = (ref: ResourceRef, causes: StatusCause[]) =>
  new ApiError(
    422,
    "Invalid",
    `${ref.kind}.${ref.group ?? ""} "${ref.name ?? ""}" is invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(", ")}`,
    { ...detailsOf(ref), causes },
  );
export const methodNotAllowed = (method: string, path: string) =>
  new ApiError(405, "MethodNotAllowed", `the server does not allow this method (${method}) on the requested resource (${path})`);
export const notAcceptable = (message: string) => new ApiError(406, "NotAcceptable", message);
export const tooLarge = (limitBytes: number) =>
  new ApiError(413, "RequestEntityTooLarge", `the request body is larger than the limit of ${limitBytes} bytes`);
export const unsupportedMediaType = (contentType: string, supported: string[]) =>
  new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format (${contentType}); accepted: ${supported.join(", ")}`);
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(429, "TooManyRequests", message, { retryAfterSeconds });
export const internalError = (message = "an internal error occurred; see the server log") => new ApiError(500, "InternalError", message);
/** 503; with `retryAfterSeconds` when the condition passes by itself (clients, kubectl included, then retry after that long). */
export const serviceUnavailable = (message: string, retryAfterSeconds?: number) =>
  new ApiError(503, "ServiceUnavailable", message, retryAfterSeconds !== undefined ? { retryAfterSeconds } : undefined);
/** As kube-apiserver answers a read at a revision it has not reached: 504, and retry in a second. */
export const tooLargeResourceVersion = (requested: number, current: number) =>
  new ApiError(504, "Timeout", `Too large resource version: ${Number.isInteger(requested) ? BigInt(requested) : requested}, current: ${current}`, {
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
    retryAfterSeconds: 1,
  });
/** The client closed its connection before its request was read: not the server's failure, nobody to answer. */
export const clientClosedRequest = () => new ApiError(499, "ClientClosedRequest", "the client closed the connection before the request was complete");

export const isApiError = (err: unknown): err is ApiError => err instanceof ApiError;
export const isNotFound = (err: unknown) => isApiError(err) && err.reason === "NotFound";
export const isAlreadyExists = (err: unknown) => isApiError(err) && err.reason === "AlreadyExists";
export const isConflict = (err: unknown) => isApiError(err) && err.reason === "Conflict";
export const isInvalid = (err: unknown) => isApiError(err) && err.reason === "Invalid";
export const isGone = (err: unknown) => isApiError(err) && (err.reason === "Gone" || err.reason === "Expired");
export const isForbidden = (err: unknown) => isApiError(err) && err.reason === "Forbidden";
export const isUnauthorized = (err: unknown) => isApiError(err) && err.reason === "Unauthorized";
export const isClientClosedRequest = (err: unknown) => isApiError(err) && err.reason === "ClientClosedRequest";

export function reasonForCode(code: number): StatusReason {
  const byCode: Record<number, StatusReason> = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
    406: "NotAcceptable", 409: "Conflict", 410: "Gone", 413: "RequestEntityTooLarge", 415: "UnsupportedMediaType",
    422: "Invalid", 429: "TooManyRequests", 503: "ServiceUnavailable", 504: "Timeout",
  };
  return byCode[code] ?? "InternalError";
}
