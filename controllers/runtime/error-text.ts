// One line for a log that says what failed: an ApiError's code and reason, or an error's message.

import { isApiError } from "../../api/machinery/errors.js";

export const errorText = (err: unknown): string =>
  isApiError(err) ? `${err.code} ${err.reason}: ${err.message}` : err instanceof Error ? err.message : String(err);
