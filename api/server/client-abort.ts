// A client that closes its connection mid-request is not a server failure: it is logged at debug.

import { isClientClosedRequest } from "../machinery/errors.js";

const ABORT_CODES = new Set(["ECONNRESET", "ECONNABORTED", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE", "ERR_STREAM_DESTROYED"]);

export function isClientAbort(err: unknown): boolean {
  if (isClientClosedRequest(err)) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && ABORT_CODES.has(code)) || err.message === "aborted";
}
