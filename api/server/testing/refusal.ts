// The ApiError a parse throws, as `{code, reason, message}`, for tables of refused inputs.

import type { ApiError } from "../../machinery/errors.js";

export function refusal(parse: () => unknown): Pick<ApiError, "code" | "reason" | "message"> {
  try {
    parse();
  } catch (err) {
    const { code, reason, message } = err as ApiError;
    return { code, reason, message };
  }
  throw new Error("parsed without an error");
}
