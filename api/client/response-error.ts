// A non-2xx answer as an ApiError: the server's Status when it sent one, else the status code and body text.

import type { Dispatcher } from "undici";
import { ApiError, reasonForCode } from "../machinery/errors.js";

export async function errorFromResponse(response: Dispatcher.ResponseData): Promise<ApiError> {
  const code = response.statusCode;
  const text = await response.body.text().catch(() => "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const retryAfter = Number(response.headers["retry-after"]);
  if (typeof parsed === "object" && parsed !== null && (parsed as { kind?: unknown }).kind === "Status") {
    const err = ApiError.fromStatus(parsed, code);
    if (Number.isFinite(retryAfter) && err.details?.retryAfterSeconds === undefined && code === 429) {
      return new ApiError(err.code, err.reason, err.message, { ...err.details, retryAfterSeconds: retryAfter });
    }
    return err;
  }
  const message = text.trim() ? text.trim().slice(0, 500) : `the server answered HTTP ${code} with no explanation`;
  return new ApiError(code, reasonForCode(code), message, Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : undefined);
}
